/** Response bodies of the pricing service, as documented in reference_app/contracts/openapi.json. */

export interface Me {
  id: number;
  email: string;
  role: string;
  permissions: string[];
  is_active: boolean;
}

export interface Product {
  id: number;
  sku: string;
  title: string;
  currency: string;
  /** Money is a decimal string ("1999.90"): never a float. */
  cost: string;
  price: string;
  min_price: string;
  max_price: string;
  marketplace_item_id: string | null;
  version: number;
  updated_at: string;
  /** null when the marketplace has this price. */
  pending_sync_since: string | null;
  last_synced_at: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface PriceChange {
  id: number;
  product_id: number;
  old_price: string;
  new_price: string;
  version: number;
  actor_id: number;
  reason: string;
  request_id: string;
  created_at: string;
}

export type JobStatus = "queued" | "running" | "succeeded" | "partial" | "failed";

export interface SyncJob {
  id: number;
  status: JobStatus;
  trigger: "api" | "schedule" | "cli";
  requested_by: number | null;
  request_id: string | null;
  product_ids: number[] | null;
  items_total: number;
  items_succeeded: number;
  items_failed: number;
  retries: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  last_error: string | null;
}

export interface SyncStatus {
  backlog: number;
  oldest_pending_since: string | null;
  oldest_pending_age_seconds: number;
  last_success_at: string | null;
  degraded: boolean;
  degraded_reason: string | null;
  active_job: SyncJob | null;
}

export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "partial", "failed"];

export const Permission = {
  productsRead: "products:read",
  pricesWrite: "prices:write",
  syncRead: "sync:read",
  syncRun: "sync:run",
} as const;
