import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { createQueryClient } from '../api/query-client.js';
import { useAuth } from './auth.js';

/** Whose answers the cache holds: a username, or null for a visitor (or nobody) signed out. */
type Reader = string | null;

/**
 * Gives the app its query cache: created per mounted app (not per module, so every root has its
 * own) and replaced whenever the reader changes — signing out, signing in, another account.
 * Signed out is not an empty screen any more (visitors read public projects), so the swap must
 * happen before the next reader's pages render: a visitor must never be shown, even for one
 * render, what the previous account could read, and a user who just signed in must not be served
 * the visitor's public-only answers while they are still fresh.
 */
export function QueryProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const [held, setHeld] = useState<{ reader: Reader | undefined; client: QueryClient }>(() => ({
    reader: user === undefined ? undefined : (user?.username ?? null),
    client: createQueryClient(),
  }));
  // While /api/me is asked (undefined) the reader has not changed.
  const reader = user === undefined ? held.reader : (user?.username ?? null);
  if (reader !== held.reader) {
    // Adjusting state while rendering: React renders this component again at once, before any
    // child sees the old cache.
    held.client.clear();
    setHeld({ reader, client: createQueryClient() });
  }
  return <QueryClientProvider client={held.client}>{children}</QueryClientProvider>;
}
