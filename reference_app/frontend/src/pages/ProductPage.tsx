/**
 * One product: its numbers, the price form and the price history.
 *
 * The form sends the version the person was looking at (If-Match). When someone else changed the
 * product meanwhile, the server answers 412 and nothing is saved: the page says so and offers to
 * reload the latest product while keeping what the person typed, so they can check and retry.
 */

import { useCallback, useEffect, useState } from "react";
import type { FormEvent } from "react";
import { Link, useParams } from "react-router";

import type { ApiClient } from "../api/client";
import { changePrice, getProduct, priceHistory } from "../api/endpoints";
import { ApiError, fieldErrors } from "../api/problem";
import type { Problem } from "../api/problem";
import { Permission } from "../api/types";
import type { Page, PriceChange, Product } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ProblemAlert } from "../components/ProblemAlert";
import { SyncBadge } from "../components/SyncBadge";
import { dateTime, money } from "../format";
import { explainPriceRefusal } from "./priceErrors";

function loadProduct(client: ApiClient, id: number): Promise<[Product, Page<PriceChange>]> {
  return Promise.all([getProduct(client, id), priceHistory(client, id)]);
}

export function ProductPage() {
  const { id } = useParams();
  const productId = Number(id);
  const { client, can } = useAuth();
  const [product, setProduct] = useState<Product | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [history, setHistory] = useState<PriceChange[]>([]);
  const [historyCursor, setHistoryCursor] = useState<string | null>(null);
  const [price, setPrice] = useState("");
  const [reason, setReason] = useState("");
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const show = useCallback(([fresh, changes]: [Product, Page<PriceChange>]) => {
    setProduct(fresh);
    setHistory(changes.items);
    setHistoryCursor(changes.next_cursor);
    setLoadProblem(null);
    return fresh;
  }, []);

  const onLoadError = useCallback((error: unknown) => {
    if (!(error instanceof ApiError)) {
      throw error;
    }
    setLoadProblem(error.problem);
  }, []);

  useEffect(() => {
    if (!Number.isInteger(productId) || productId < 1) {
      return;
    }
    loadProduct(client, productId)
      .then((view) => {
        setPrice(show(view).price);
      })
      .catch(onLoadError);
  }, [client, productId, show, onLoadError]);

  if (!Number.isInteger(productId) || productId < 1) {
    return <p role="alert">“{id}” is not a product id.</p>;
  }
  if (loadProblem && !product) {
    return (
      <section>
        <p>
          <Link to="/products">← Products</Link>
        </p>
        <ProblemAlert problem={loadProblem} />
      </section>
    );
  }
  if (!product) {
    return <p role="status">Loading product…</p>;
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaving(true);
    setRefusal(null);
    setSaved(null);
    changePrice(client, product.id, { price: price.trim(), reason, version: product.version })
      .then(async (updated) => {
        setProduct(updated);
        setReason("");
        setSaved(
          `Saved: the price is now ${money(updated.price, updated.currency)} ` +
            `(version ${updated.version}). The next marketplace sync will push it.`,
        );
        const changes = await priceHistory(client, updated.id);
        setHistory(changes.items);
        setHistoryCursor(changes.next_cursor);
      })
      .catch((error: unknown) => {
        if (!(error instanceof ApiError)) {
          throw error;
        }
        setRefusal(error.problem);
      })
      .finally(() => {
        setSaving(false);
      });
  };

  const reloadLatest = () => {
    loadProduct(client, product.id)
      .then((view) => {
        show(view);
        setRefusal(null);
      })
      .catch(onLoadError);
  };

  const loadMoreHistory = () => {
    priceHistory(client, product.id, historyCursor)
      .then((more) => {
        setHistory([...history, ...more.items]);
        setHistoryCursor(more.next_cursor);
      })
      .catch(onLoadError);
  };

  const explanation = refusal ? explainPriceRefusal(refusal) : null;
  const fields = refusal ? fieldErrors(refusal) : {};
  const mayWrite = can(Permission.pricesWrite);
  return (
    <section>
      <p>
        <Link to="/products">← Products</Link>
      </p>
      <h1>{product.title}</h1>
      {loadProblem && <ProblemAlert problem={loadProblem} />}
      <dl className="facts">
        <dt>SKU</dt>
        <dd>
          <code>{product.sku}</code>
        </dd>
        <dt>Price</dt>
        <dd data-testid="current-price">{money(product.price, product.currency)}</dd>
        <dt>Allowed range</dt>
        <dd>
          {product.min_price} – {product.max_price}
        </dd>
        <dt>Cost</dt>
        <dd>{product.cost}</dd>
        <dt>Version</dt>
        <dd data-testid="version">{product.version}</dd>
        <dt>Marketplace</dt>
        <dd>
          <SyncBadge product={product} /> {product.marketplace_item_id ?? "not listed"}
        </dd>
      </dl>

      <h2>Change the price</h2>
      {!mayWrite && <p className="muted">Your role can read prices but not change them.</p>}
      {mayWrite && (
        <form onSubmit={onSubmit} className="price-form" noValidate>
          {saved && (
            <p role="status" className="success">
              {saved}
            </p>
          )}
          {refusal && explanation && (
            <div role="alert" className={explanation.stale ? "alert conflict" : "alert"}>
              <strong>{explanation.headline}</strong>
              <p>{explanation.advice}</p>
              <p className="muted small">
                Server said: {refusal.detail}
                {refusal.request_id ? ` (request id ${refusal.request_id})` : ""}
              </p>
              {explanation.stale && (
                <button type="button" onClick={reloadLatest}>
                  Reload latest and keep my price
                </button>
              )}
            </div>
          )}
          <label>
            New price ({product.currency})
            <input
              name="price"
              inputMode="decimal"
              required
              value={price}
              aria-invalid={fields.price ? true : undefined}
              onChange={(event) => {
                setPrice(event.target.value);
              }}
            />
          </label>
          {fields.price && <p className="field-error">{fields.price}</p>}
          <label>
            Reason
            <input
              name="reason"
              required
              maxLength={500}
              value={reason}
              placeholder="e.g. match competitor"
              aria-invalid={fields.reason ? true : undefined}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </label>
          {fields.reason && <p className="field-error">{fields.reason}</p>}
          <button type="submit" disabled={saving || explanation?.stale === true}>
            {saving ? "Saving…" : `Save price (from version ${product.version})`}
          </button>
        </form>
      )}

      <h2>Price history</h2>
      {history.length === 0 ? (
        <p className="muted">No price changes yet.</p>
      ) : (
        <table aria-label="Price history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col" className="number">
                From
              </th>
              <th scope="col" className="number">
                To
              </th>
              <th scope="col" className="number">
                Version
              </th>
              <th scope="col">Reason</th>
              <th scope="col">By user</th>
            </tr>
          </thead>
          <tbody>
            {history.map((change) => (
              <tr key={change.id}>
                <td>{dateTime(change.created_at)}</td>
                <td className="number">{change.old_price}</td>
                <td className="number">{change.new_price}</td>
                <td className="number">{change.version}</td>
                <td>{change.reason}</td>
                <td>#{change.actor_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {historyCursor && (
        <button type="button" onClick={loadMoreHistory}>
          Older changes
        </button>
      )}
    </section>
  );
}
