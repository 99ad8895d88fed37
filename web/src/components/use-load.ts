import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  reload: () => void;
  setData: (update: (old: T | undefined) => T | undefined) => void;
}

/**
 * Loads data for a page and reloads it when `deps` change. An answer that arrives after a newer
 * request started is dropped, so a fast typist never sees an older result win.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    load().then(
      (value) => {
        if (mine !== seq.current) return;
        setDataState(value);
        setError(null);
      },
      (err: unknown) => {
        if (mine === seq.current) setError(err);
      },
    );
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` reads
  }, deps);
  useEffect(run, [run]);
  return { data, error, reload: run, setData: (update) => setDataState(update) };
}
