/** Render the whole console (routes, guard, auth) at a path, against a FakeServer. */

import { render } from "@testing-library/react";
import { MemoryRouter, useLocation } from "react-router";

import { AppRoutes } from "../App";
import { ApiClient } from "../api/client";
import { memoryStore } from "../api/tokens";
import type { Me, Product } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import type { FakeServer } from "./fakeServer";
import { json } from "./fakeServer";

export const MANAGER: Me = {
  id: 7,
  email: "maria@example.com",
  role: "pricing_manager",
  permissions: ["prices:write", "products:read", "sync:read", "sync:run"],
  is_active: true,
};

export function tokens(n: number) {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: "bearer",
    expires_in: 900,
  };
}

export function product(overrides: Partial<Product> = {}): Product {
  return {
    id: 3,
    sku: "TV-55-OLED",
    title: "55 inch OLED TV",
    currency: "ARS",
    cost: "900000.00",
    price: "1200000.00",
    min_price: "1000000.00",
    max_price: "1500000.00",
    marketplace_item_id: "MLA1234567890",
    version: 4,
    updated_at: "2026-11-20T10:00:00+00:00",
    pending_sync_since: null,
    last_synced_at: "2026-11-20T10:05:00+00:00",
    ...overrides,
  };
}

/** A server on which the kept refresh token "refresh-0" restores MANAGER's session. */
export function signedIn(server: FakeServer, me: Me = MANAGER): FakeServer {
  return server
    .once("POST /api/auth/refresh", () => json(200, tokens(1)))
    .always("GET /api/auth/me", () => json(200, me));
}

function CurrentPath() {
  const location = useLocation();
  return <div data-testid="path">{`${location.pathname}${location.search}`}</div>;
}

export function renderApp(server: FakeServer, path: string, refreshToken: string | null = null) {
  const store = memoryStore(refreshToken);
  const client = new ApiClient(store, server.fetch);
  const view = render(
    <MemoryRouter initialEntries={[path]}>
      <AuthProvider client={client}>
        <AppRoutes />
        <CurrentPath />
      </AuthProvider>
    </MemoryRouter>,
  );
  return { ...view, client, store };
}
