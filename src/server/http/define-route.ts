import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { invalid } from '../errors.js';
import type { ProjectRole } from '../store/tables-access.js';

/**
 * Every JSON route is declared through here: its inputs are validated with zod at the edge
 * (errors name the field: `body.name: …`), and it is recorded for the OpenAPI document served at
 * /api/docs — one declaration, no hand-copied schema.
 */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Documented response body of the success case. */
  response?: z.ZodType;
  /** Status code of the success case (default 200). */
  status?: number;
  /** false for routes anyone may call (sign in, healthz); documented in OpenAPI. */
  auth?: boolean;
  /**
   * On `/api/projects/:project…` routes: the project role needed (access/project-guard.ts).
   * Default: viewer for GET, maintainer for anything else.
   */
  projectRole?: ProjectRole;
  handler: (
    input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> },
    req: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<unknown>;
}

export interface DocumentedRoute {
  method: string;
  url: string;
  summary: string;
  tags: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status: number;
  auth: boolean;
}

/** Collects route declarations for the OpenAPI document. One per server instance (no global). */
export class RouteRegistry {
  readonly routes: DocumentedRoute[] = [];
  /** Every route the server serves, documented or not (recorded by access/project-guard.ts). */
  readonly served: { method: string; url: string }[] = [];
}

export function defineRoute<
  P extends z.ZodType = z.ZodType<Record<string, string>>,
  Q extends z.ZodType = z.ZodType<Record<string, unknown>>,
  B extends z.ZodType = z.ZodType<unknown>,
>(app: FastifyInstance, registry: RouteRegistry, spec: RouteSpec<P, Q, B>): void {
  const status = spec.status ?? 200;
  registry.routes.push({
    method: spec.method,
    url: spec.url,
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.response ? { response: spec.response } : {}),
    status,
    auth: spec.auth ?? true,
  });
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.projectRole ? { config: { projectRole: spec.projectRole } } : {}),
    handler: async (req, reply) => {
      const input = {
        params: check(spec.params, req.params, 'params'),
        query: check(spec.query, req.query, 'query'),
        body: check(spec.body, req.body, 'body'),
      } as { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> };
      const result = await spec.handler(input, req, reply);
      if (reply.sent) return reply;
      reply.code(status);
      return result === undefined ? reply.send() : result;
    },
  });
}

function check(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  return parseInput(schema, value ?? (where === 'body' ? undefined : {}), where);
}

/** Validates one input of a request (`where`: params, query, body); errors name the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  throw invalid(path, `${path}: ${issue?.message ?? 'invalid'}`);
}
