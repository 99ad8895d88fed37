import { z } from 'zod';

/** Application and environment names end up in container and service names: keep them DNS-safe. */
export const resourceName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'lowercase letters, digits and -, at most 63, starting with a letter or digit',
  );

/** Names that mean production to their teams: such an environment starts with `production: true`. */
export function isProductionName(name: string): boolean {
  return ['production', 'prod', 'prd'].includes(name.toLowerCase());
}
