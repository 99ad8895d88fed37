import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { setCsrfToken, setUnauthorizedHandler } from '../api/http.js';
import { isRetryable } from '../api/query-client.js';
import type { Me } from '../api/types.js';
import { visitorsMayRead } from './visitor-reads.js';

type Role = Me['user']['role'];
const RANK: Record<Role, number> = { viewer: 1, maintainer: 2, admin: 3 };

interface Auth {
  /** undefined while /api/me is loading, null when signed out. */
  user: Me['user'] | null | undefined;
  /**
   * Signed out: whether the server lets visitors read public projects (undefined until asked;
   * asked only once somebody is signed out). False: signed out sees only the sign-in page.
   */
  visitorReads: boolean | undefined;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Asks /api/me again (after an invitation was accepted or the password changed). */
  refresh: () => Promise<void>;
  /** Whether the user has at least this role (the server decides anyway; this only hides buttons). */
  can: (role: Role) => boolean;
}

const AuthContext = createContext<Auth | null>(null);
/** How many times /api/me is asked again when Slipway did not answer (after 0.25, 0.5, 1, 2 s). */
const ME_RETRIES = 4;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me['user'] | null | undefined>(undefined);
  const [visitorReads, setVisitorReads] = useState<boolean | undefined>(undefined);
  const signedOut = user === null;
  useEffect(() => {
    // The server's setting does not change while it runs: asking once is enough.
    if (!signedOut || visitorReads !== undefined) return;
    let live = true;
    void visitorsMayRead().then((open) => {
      if (live) setVisitorReads(open);
    });
    return () => {
      live = false;
    };
  }, [signedOut, visitorReads]);

  const accept = useCallback((me: Me) => {
    setCsrfToken(me.csrfToken);
    setUser(me.user);
  }, []);

  useEffect(() => {
    // A 401 anywhere (session expired) brings back the sign-in page.
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setUser(null);
    });
    let live = true;
    // Only Slipway's answer says who is signed in: a request that got none (a dropped
    // connection) or a gateway's 5xx (Slipway restarting behind a proxy) is asked again before
    // the sign-in page is shown to somebody who is signed in.
    const ask = async () => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const me = await api.me();
          if (live) accept(me);
          return;
        } catch (error) {
          if (!isRetryable(error) || attempt >= ME_RETRIES) {
            if (live) setUser(null);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        }
      }
    };
    void ask();
    return () => {
      live = false;
      setUnauthorizedHandler(null);
    };
  }, [accept]);

  const value: Auth = {
    user,
    visitorReads,
    signIn: async (username, password) => accept(await api.signIn(username, password)),
    signOut: async () => {
      await api.signOut().catch(() => undefined);
      setCsrfToken(null);
      setUser(null);
    },
    refresh: async () => accept(await api.me()),
    can: (role) => (user ? RANK[user.role] >= RANK[role] : false),
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
