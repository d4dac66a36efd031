import { describe, expect, it, vi } from "vitest";

import { FakeServer, json, problem } from "../test/fakeServer";
import { tokens } from "../test/render";
import { ApiClient } from "./client";
import { ApiError } from "./problem";
import { memoryStore } from "./tokens";

function client(server: FakeServer, refreshToken: string | null = "refresh-0") {
  const store = memoryStore(refreshToken);
  return { api: new ApiClient(store, server.fetch), store };
}

describe("ApiClient", () => {
  it("keeps the access token in memory and sends it as a bearer token", async () => {
    const server = new FakeServer()
      .once("POST /api/auth/login", () => json(200, tokens(1)))
      .once("GET /api/products", () => json(200, { items: [], next_cursor: null }));
    const { api, store } = client(server, null);

    await api.login("maria@example.com", "a long passphrase");
    await api.get("/api/products?limit=20");

    expect(server.callsTo("GET /api/products")[0]?.headers.authorization).toBe("Bearer access-1");
    expect(store.get()).toBe("refresh-1");
  });

  it("on a 401 refreshes once, keeps the rotated refresh token and replays the request", async () => {
    const server = new FakeServer()
      .once("GET /api/auth/me", () => problem(401, "invalid_token", "the token has expired"))
      .once("POST /api/auth/refresh", () => json(200, tokens(2)))
      .once("GET /api/auth/me", () => json(200, { id: 1 }));
    const { api, store } = client(server);

    const response = await api.get<{ id: number }>("/api/auth/me");

    expect(response.data).toEqual({ id: 1 });
    expect(server.callsTo("POST /api/auth/refresh")[0]?.body).toEqual({
      refresh_token: "refresh-0",
    });
    expect(server.callsTo("GET /api/auth/me")[1]?.headers.authorization).toBe("Bearer access-2");
    expect(store.get()).toBe("refresh-2");
  });

  it("shares one refresh between concurrent 401s (a second use of a spent token is theft)", async () => {
    const expired = () => problem(401, "invalid_token", "expired");
    const server = new FakeServer()
      .once("GET /api/a", expired)
      .once("GET /api/b", expired)
      .once("POST /api/auth/refresh", () => json(200, tokens(2)))
      .once("GET /api/a", () => json(200, "a"))
      .once("GET /api/b", () => json(200, "b"));
    const { api } = client(server);

    const results = await Promise.all([api.get("/api/a"), api.get("/api/b")]);

    expect(results.map((r) => r.data)).toEqual(["a", "b"]);
    expect(server.callsTo("POST /api/auth/refresh")).toHaveLength(1);
  });

  it("ends the session when the refresh is refused, and says why", async () => {
    const server = new FakeServer()
      .once("GET /api/products", () => problem(401, "invalid_token", "expired"))
      .once("POST /api/auth/refresh", () => problem(401, "invalid_token", "refresh token reused"));
    const { api, store } = client(server);
    const ended = vi.fn();
    api.onSessionEnded(ended);

    const error = await api.get("/api/products").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("invalid_token");
    expect(ended).toHaveBeenCalledOnce();
    expect(store.get()).toBeNull();
    expect(server.callsTo("GET /api/products")).toHaveLength(1);
  });

  it("does not refresh twice when the replayed request is refused again", async () => {
    const server = new FakeServer()
      .always("GET /api/products", () => problem(401, "invalid_token", "revoked"))
      .once("POST /api/auth/refresh", () => json(200, tokens(2)));
    const { api } = client(server);

    await expect(api.get("/api/products")).rejects.toBeInstanceOf(ApiError);
    expect(server.callsTo("POST /api/auth/refresh")).toHaveLength(1);
    expect(server.callsTo("GET /api/products")).toHaveLength(2);
  });

  it("turns a problem+json answer into an ApiError carrying the problem", async () => {
    const server = new FakeServer().once("PUT /api/products/3/price", () =>
      problem(412, "version_mismatch", "the product changed", { current_version: 5 }),
    );
    const { api } = client(server);

    const error = (await api.put("/api/products/3/price").catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(412);
    expect(error.problem.current_version).toBe(5);
    expect(error.message).toBe("the product changed");
  });

  it("turns a network failure into a problem a person can read", async () => {
    const offline = new ApiClient(memoryStore("refresh-0"), () =>
      Promise.reject(new TypeError("Failed to fetch")),
    );

    const error = (await offline.refresh().catch((e: unknown) => e)) as ApiError;

    expect(error.code).toBe("network_error");
    expect(error.problem.detail).toMatch(/Could not reach the pricing service/);
    expect(offline.hasStoredSession()).toBe(true); // offline is not a revoked session
  });
});
