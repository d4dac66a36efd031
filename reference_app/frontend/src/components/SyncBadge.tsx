/** Whether the marketplace has this product's current price. */

import type { Product } from "../api/types";
import { dateTime } from "../format";

export function SyncBadge({ product }: { product: Product }) {
  if (product.pending_sync_since !== null) {
    return (
      <span
        className="badge pending"
        title={`Changed since ${dateTime(product.pending_sync_since)}; the next sync pushes it`}
      >
        Pending sync
      </span>
    );
  }
  return (
    <span className="badge synced" title={`Last pushed ${dateTime(product.last_synced_at)}`}>
      In sync
    </span>
  );
}
