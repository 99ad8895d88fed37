/** A circle with someone's initials; the colour comes from the name, so it is stable. */
export function Avatar({ name }: { name: string }) {
  const initials =
    name
      .split(/[\s._@-]+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => [...w][0]?.toUpperCase() ?? '')
      .join('') || '?';
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return (
    <span className={`avatar avatar-${hash % 8}`} aria-hidden="true">
      {initials}
    </span>
  );
}
