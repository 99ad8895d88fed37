/**
 * `image: ${CI_REGISTRY_IMAGE}/builder:${CI_COMMIT_SHORT_SHA}` — a job may name an image built
 * earlier in the same run through the run's variables. `$NAME` and `${NAME}` are replaced by the
 * job's variables (its env, then the standard ones); an unknown name becomes empty, as in a
 * shell. Nothing else is interpreted: the result is only ever an image reference handed to the
 * engine, never shell text.
 */
export function expandImage(image: string, env: Readonly<Record<string, string>>): string {
  if (!image.includes('$')) return image;
  return image.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, braced, bare) => {
    const name = (braced ?? bare) as string;
    return env[name] ?? '';
  });
}
