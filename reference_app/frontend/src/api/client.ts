/**
 * The one HTTP client of the console: bearer token, problem+json errors, refresh on 401.
 *
 * The access token lives in this object only (memory). On a 401 the client refreshes once
 * (the server rotates: the new refresh token replaces the old one) and replays the request;
 * if the refresh fails, the session is over and listeners are told, so the route guard sends
 * the person to the login page. Concurrent 401s share one refresh: the server treats a second
 * use of a spent refresh token as theft and revokes the whole session.
 */

import { ApiError, localProblem, readProblem } from "./problem";
import type { RefreshTokenStore } from "./tokens";

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

const JSON_TYPES = ["application/json", "application/problem+json"];

export class ApiClient {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly store: RefreshTokenStore;
  private readonly fetchFn: FetchLike;
  private readonly baseUrl: string;

  constructor(
    store: RefreshTokenStore,
    fetchFn: FetchLike = (input, init) => fetch(input, init),
    baseUrl = "",
  ) {
    this.store = store;
    this.fetchFn = fetchFn;
    this.baseUrl = baseUrl;
  }

  /** True when a refresh token is kept, i.e. a session may be restored without a password. */
  hasStoredSession(): boolean {
    return this.store.get() !== null;
  }

  /** Called when the session ends by itself (refresh refused); returns an unsubscribe. */
  onSessionEnded(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login(email: string, password: string): Promise<void> {
    const response = await this.send("POST", "/api/auth/login", { body: { email, password } });
    if (!response.ok) {
      throw new ApiError(await readProblem(response));
    }
    this.keep((await response.json()) as TokenResponse);
  }

  /** Trade the stored refresh token for a new pair; false when there is none or it is refused. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async logout(): Promise<void> {
    try {
      if (this.accessToken !== null) {
        await this.send("POST", "/api/auth/logout", { headers: this.authorization() });
      }
    } finally {
      this.forget();
    }
  }

  async get<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>("GET", path, options);
  }

  async post<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>("POST", path, options);
  }

  async put<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>("PUT", path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions): Promise<ApiResponse<T>> {
    const tokenUsed = this.accessToken;
    let response = await this.send(method, path, this.withAuthorization(options));
    if (response.status === 401) {
      // Another call may have rotated the tokens meanwhile: then replay without a new refresh.
      const renewed = this.accessToken !== null && this.accessToken !== tokenUsed;
      if (renewed || (await this.refresh())) {
        response = await this.send(method, path, this.withAuthorization(options));
      }
      if (response.status === 401) {
        const problem = await readProblem(response);
        this.endSession();
        throw new ApiError(problem);
      }
    }
    if (!response.ok) {
      throw new ApiError(await readProblem(response));
    }
    const contentType = response.headers.get("content-type") ?? "";
    const data = JSON_TYPES.some((type) => contentType.startsWith(type))
      ? ((await response.json()) as T)
      : (undefined as T);
    return { data, status: response.status, headers: response.headers };
  }

  private async rotate(): Promise<boolean> {
    const refreshToken = this.store.get();
    if (refreshToken === null) {
      return false;
    }
    // A network failure propagates (ApiError network_error) and keeps the token: offline is
    // not a revoked session.
    const response = await this.send("POST", "/api/auth/refresh", {
      body: { refresh_token: refreshToken },
    });
    if (!response.ok) {
      this.forget();
      return false;
    }
    this.keep((await response.json()) as TokenResponse);
    return true;
  }

  private keep(tokens: TokenResponse): void {
    this.accessToken = tokens.access_token;
    this.store.set(tokens.refresh_token);
  }

  private forget(): void {
    this.accessToken = null;
    this.store.set(null);
  }

  private endSession(): void {
    this.forget();
    for (const listener of this.listeners) {
      listener();
    }
  }

  private authorization(): Record<string, string> {
    return this.accessToken === null ? {} : { Authorization: `Bearer ${this.accessToken}` };
  }

  private withAuthorization(options: RequestOptions): RequestOptions {
    return { ...options, headers: { ...options.headers, ...this.authorization() } };
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    const init: RequestInit = { method, headers, credentials: "same-origin" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) {
      init.signal = options.signal;
    }
    try {
      return await this.fetchFn(this.baseUrl + path, init);
    } catch (error) {
      // fetch rejects with a TypeError when the network fails; anything else is a bug or an abort.
      if (!(error instanceof TypeError)) {
        throw error;
      }
      throw new ApiError(
        localProblem(
          0,
          "network_error",
          "Service unreachable",
          "Could not reach the pricing service. Check your connection, then retry.",
        ),
      );
    }
  }
}
