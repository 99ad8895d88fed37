/** `repo@sha256:…` → `sha256:…`; a tag or a bare image id has no registry digest. */
export function digestOf(image: string): string | null {
  const at = image.lastIndexOf('@');
  if (at < 0) return null;
  const digest = image.slice(at + 1);
  return /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : null;
}

/** The reference an agent deploys for a built image: digest-pinned when pushed, else its id. */
export function deployableRef(image: {
  repository: string;
  digest: string | null;
  imageId: string;
  pushed: boolean;
}): string {
  return image.pushed && image.digest ? `${image.repository}@${image.digest}` : image.imageId;
}

/** Image references we accept from users (the deploy body's rule, src/api/releases.ts). */
export { IMAGE_REF } from '../../api/releases.js';
