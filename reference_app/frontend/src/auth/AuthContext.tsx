/**
 * Who is signed in. On start, a kept refresh token restores the session without a password;
 * when the client reports the session over (refresh refused), everyone here sees "signed-out"
 * and the route guard sends the person to the login page.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";

import type { ApiClient } from "../api/client";
import { fetchMe } from "../api/endpoints";
import type { Me } from "../api/types";

export type AuthStatus = "loading" | "signed-in" | "signed-out";

export interface AuthState {
  status: AuthStatus;
  user: Me | null;
  client: ApiClient;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  can: (permission: string) => boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [user, setUser] = useState<Me | null>(null);
  const [status, setStatus] = useState<AuthStatus>(() =>
    client.hasStoredSession() ? "loading" : "signed-out",
  );

  useEffect(
    () =>
      client.onSessionEnded(() => {
        setUser(null);
        setStatus("signed-out");
      }),
    [client],
  );

  useEffect(() => {
    if (!client.hasStoredSession()) {
      return;
    }
    let active = true;
    const restore = async (): Promise<Me | null> =>
      (await client.refresh()) ? await fetchMe(client) : null;
    void restore()
      .catch(() => null)
      .then((me) => {
        if (active) {
          setUser(me);
          setStatus(me ? "signed-in" : "signed-out");
        }
      });
    return () => {
      active = false;
    };
  }, [client]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await client.login(email, password);
      const me = await fetchMe(client);
      setUser(me);
      setStatus("signed-in");
    },
    [client],
  );

  const signOut = useCallback(async () => {
    try {
      await client.logout();
    } finally {
      setUser(null);
      setStatus("signed-out");
    }
  }, [client]);

  const value = useMemo<AuthState>(
    () => ({
      status,
      user,
      client,
      signIn,
      signOut,
      can: (permission) => user?.permissions.includes(permission) ?? false,
    }),
    [status, user, client, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (state === null) {
    throw new Error("useAuth() needs an <AuthProvider> above it");
  }
  return state;
}
