/** Number formats of the Impact view (language-neutral: digits, %, ms). */
export const percent = (r: number | null) =>
  r === null ? '–' : `${(Math.round(r * 10_000) / 100).toFixed(2)}%`;
export const millis = (v: number | null) => (v === null ? '–' : `${Math.round(v * 10) / 10} ms`);
export const stat = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
/** "= 0.7040" or "< 0.0001": the templates read `p {p}`. */
export const pValue = (p: number) => (p < 0.0001 ? '< 0.0001' : `= ${p.toFixed(4)}`);
