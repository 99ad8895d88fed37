import { z } from 'zod';

/**
 * The API shapes of registries and the image catalogue, shared by the routes (validation and
 * OpenAPI), the CLI and the web page (`import type`). A registry's password is write-only: it
 * appears in RegistryInput and nowhere else.
 */

export const RegistryInput = z.object({
  /** host[:port]; an http(s) URL with no path beyond `/v2/` is accepted and reduced to its host. */
  host: z.string().min(1).max(300),
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(8192),
});
export type RegistryInputJson = z.infer<typeof RegistryInput>;

export const RegistryJson = z.object({
  id: z.string(),
  /** `global` registries serve every project; a project's own entry for a host wins over it. */
  scope: z.enum(['global', 'project']),
  project: z.string().nullable(),
  host: z.string(),
  username: z.string(),
  hasPassword: z.literal(true),
  createdAt: z.number(),
  createdBy: z.string(),
});
export type RegistryJsonType = z.infer<typeof RegistryJson>;

export const RegistryCheckJson = z.object({
  result: z.enum(['ok', 'unauthorized', 'unreachable', 'refused']),
  message: z.string(),
});
export type RegistryCheckJsonType = z.infer<typeof RegistryCheckJson>;

/** The run that built an image version: enough to link to it and to show the commit. */
export const ImageRunJson = z.object({
  id: z.string(),
  number: z.number(),
  record: z.string(),
});

export const ImageTagJson = z.object({
  tag: z.string(),
  /** Registry manifest digest (sha256:…); null when the image stayed in the local engine. */
  digest: z.string().nullable(),
  imageId: z.string(),
  size: z.number().nullable(),
  pushed: z.boolean(),
  registry: z.string().nullable(),
  createdAt: z.number(),
  run: ImageRunJson,
  job: z.string(),
  sha: z.string(),
  ref: z.string(),
});
export type ImageTagJsonType = z.infer<typeof ImageTagJson>;

export const ImageRepositoryJson = z.object({
  repository: z.string(),
  /** When its newest tag was recorded. */
  updatedAt: z.number(),
  /** Current tags (the newest version of each), newest first. */
  tags: z.array(ImageTagJson),
});
export type ImageRepositoryJsonType = z.infer<typeof ImageRepositoryJson>;

export const ImagesJson = z.object({ repositories: z.array(ImageRepositoryJson) });
export type ImagesJsonType = z.infer<typeof ImagesJson>;

/** Every recorded version of a repository (re-pushed tags included), newest first. */
export const ImageHistoryJson = z.object({
  repository: z.string(),
  versions: z.array(ImageTagJson),
});
export type ImageHistoryJsonType = z.infer<typeof ImageHistoryJson>;
