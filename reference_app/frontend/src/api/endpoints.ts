/** One function per API operation the console uses; each returns typed data or throws ApiError. */

import type { ApiClient } from "./client";
import type { Me, Page, PriceChange, Product, SyncJob, SyncStatus } from "./types";

export interface ProductQuery {
  q?: string;
  pendingOnly?: boolean;
  cursor?: string | null;
  limit?: number;
}

export function productsPath(query: ProductQuery): string {
  const params = new URLSearchParams();
  params.set("limit", String(query.limit ?? 20));
  if (query.q?.trim()) {
    params.set("q", query.q.trim());
  }
  if (query.pendingOnly) {
    params.set("pending_sync", "true");
  }
  if (query.cursor) {
    params.set("cursor", query.cursor);
  }
  return `/api/products?${params.toString()}`;
}

export async function fetchMe(client: ApiClient): Promise<Me> {
  return (await client.get<Me>("/api/auth/me")).data;
}

export async function listProducts(
  client: ApiClient,
  query: ProductQuery,
  signal?: AbortSignal,
): Promise<Page<Product>> {
  return (await client.get<Page<Product>>(productsPath(query), signal ? { signal } : {})).data;
}

export async function getProduct(client: ApiClient, id: number): Promise<Product> {
  return (await client.get<Product>(`/api/products/${id}`)).data;
}

export async function priceHistory(
  client: ApiClient,
  id: number,
  cursor: string | null = null,
): Promise<Page<PriceChange>> {
  const query = cursor ? `?limit=20&cursor=${encodeURIComponent(cursor)}` : "?limit=20";
  return (await client.get<Page<PriceChange>>(`/api/products/${id}/price-history${query}`)).data;
}

export interface PriceUpdate {
  price: string;
  reason: string;
  /** The version the person was looking at: sent as If-Match, so a stale edit answers 412. */
  version: number;
}

export async function changePrice(
  client: ApiClient,
  id: number,
  update: PriceUpdate,
): Promise<Product> {
  const response = await client.put<Product>(`/api/products/${id}/price`, {
    body: { price: update.price, reason: update.reason },
    headers: { "If-Match": `"${update.version}"` },
  });
  return response.data;
}

export async function startSync(client: ApiClient): Promise<SyncJob> {
  return (await client.post<SyncJob>("/api/sync/ml")).data;
}

export async function getSyncJob(client: ApiClient, id: number): Promise<SyncJob> {
  return (await client.get<SyncJob>(`/api/sync/jobs/${id}`)).data;
}

export async function getSyncStatus(client: ApiClient): Promise<SyncStatus> {
  return (await client.get<SyncStatus>("/api/sync/status")).data;
}
