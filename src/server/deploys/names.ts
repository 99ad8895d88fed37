/** Application and environment names are part of the API's shapes (src/api/releases.ts). */
export { resourceName } from '../../api/releases.js';

/** Names that mean production to their teams: such an environment starts with `production: true`. */
export function isProductionName(name: string): boolean {
  return ['production', 'prod', 'prd'].includes(name.toLowerCase());
}
