import type { ReleaseJson } from '../../../src/api/releases.js';

/** `sha256:0123456789ab` when pinned, else the reference itself (a tag or a local image id). */
export function shortImage(r: ReleaseJson): string {
  if (r.digest) return r.digest.slice(0, 19);
  if (!r.image) return '–';
  return r.image.startsWith('sha256:') ? r.image.slice(0, 19) : r.image;
}
