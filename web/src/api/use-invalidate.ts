import { type QueryKey, useQueryClient } from '@tanstack/react-query';

/**
 * A page's "re-read what I show" after one of its own writes: marks `queryKey` (and every key
 * below it) stale, so whatever shows it fetches again and other pages will on their next view.
 */
export function useInvalidate(queryKey: QueryKey): () => void {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey });
}
