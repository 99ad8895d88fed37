import { displayWidth } from '../pipeline/config/display-width.js';

/**
 * Left-aligned columns two spaces apart, padded by display width so Chinese project, stage and
 * user names (two columns each in a terminal) keep the columns straight. One trailing newline.
 */
export function textTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(0, ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell))))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
