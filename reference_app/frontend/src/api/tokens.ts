/**
 * Where the refresh token lives between page loads. The access token never leaves memory
 * (see ApiClient). Trade-off, also in README.md: sessionStorage survives a reload of the tab
 * (no new login after F5) and dies with the tab, but any script running on the page can read it,
 * so an XSS bug would leak a token that stays valid until it is rotated or the session ends.
 * Memory-only is safer and logs the person out on every reload. Rotation with reuse detection on
 * the server bounds the damage: a stolen token that is used after us revokes the whole session.
 */

export interface RefreshTokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export const REFRESH_TOKEN_KEY = "pricing-console.refresh-token";

export function sessionStorageStore(storage: Storage = window.sessionStorage): RefreshTokenStore {
  return {
    get: () => storage.getItem(REFRESH_TOKEN_KEY),
    set: (token) => {
      if (token === null) {
        storage.removeItem(REFRESH_TOKEN_KEY);
      } else {
        storage.setItem(REFRESH_TOKEN_KEY, token);
      }
    },
  };
}

export function memoryStore(initial: string | null = null): RefreshTokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (value) => {
      token = value;
    },
  };
}
