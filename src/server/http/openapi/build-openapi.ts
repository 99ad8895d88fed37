import { z } from 'zod';
import { errorJsonSchema } from '../../../api/reasons.js';
import { SESSION_COOKIE } from '../../auth/cookies.js';
import type { DocumentedRoute } from '../define-route.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<
    string,
    { description: string; content?: { 'application/json': { schema: JsonSchema } } }
  >;
  security: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema> };
}

/** Every error answer: code, message, and where given a reason with params (src/api/reasons.ts). */
const ErrorBody = errorJsonSchema;

/**
 * The OpenAPI 3.1 document of every route declared through defineRoute, generated from the
 * same zod schemas that validate requests — so the docs cannot drift from the code. Built per
 * request from the registry, so routes registered after this one are included.
 */
export function buildOpenApi(routes: readonly DocumentedRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    (paths[path] as Record<string, OpenApiOperation>)[route.method.toLowerCase()] = operation(route, path);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Slipway API',
      version,
      description:
        'Authenticate with `Authorization: Bearer slp_…` (an API token) or the session cookie. ' +
        'Cookie-authenticated writes need the `X-CSRF-Token` header (from GET /api/me).',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (slp_…)' },
        cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
      },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
  };
}

function operation(route: DocumentedRoute, path: string): OpenApiOperation {
  const parameters = [...objectParameters(route.params, 'path'), ...objectParameters(route.query, 'query')];
  const errorRef = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  return {
    operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    tags: route.tags,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(route.status)]: {
        description: 'Success',
        ...(route.response
          ? { content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } }
          : {}),
      },
      default: { description: 'Error', content: errorRef },
    },
    // An empty list overrides nothing but says "no credentials needed".
    security: route.auth ? [{ bearer: [] }, { cookie: [] }] : [],
  };
}

/** Each property of a params/query object schema becomes one parameter. */
function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

/** Never fails the whole document over one schema zod cannot express (e.g. a transform). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  try {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
    }) as JsonSchema;
    return rest;
  } catch {
    return {};
  }
}
