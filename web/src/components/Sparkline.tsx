/**
 * Recent run durations (oldest first) as a small SVG line. Drawn from numbers only, so there is
 * nothing to escape; the title says what it shows for screen readers.
 */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 80;
  const h = 20;
  if (values.length < 2)
    return <svg className="sparkline" width={w} height={h} role="img" aria-label={label} />;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const step = w / (values.length - 1);
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - ((v - min) / span) * (h - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <title>{label}</title>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
