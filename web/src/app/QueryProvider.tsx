import { QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { createQueryClient } from '../api/query-client.js';
import { useAuth } from './auth.js';

/**
 * Gives the app its query cache: created once per mounted app (not per module, so every root
 * has its own) and emptied on sign-out, so the next person signing in on this tab never sees
 * what the previous one could read.
 */
export function QueryProvider({ children }: { children: ReactNode }) {
  const [client] = useState(createQueryClient);
  const { user } = useAuth();
  useEffect(() => {
    if (user === null) client.clear();
  }, [client, user]);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
