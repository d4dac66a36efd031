/**
 * Products: search by title, "pending sync only", cursor pagination, and a badge on every
 * product whose price has not reached the marketplace yet. The search lives in the URL, so a
 * link (or the login redirect) brings the person back to the same list.
 */

import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { listProducts } from "../api/endpoints";
import { ApiError } from "../api/problem";
import type { Problem } from "../api/problem";
import type { Page, Product } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ProblemAlert } from "../components/ProblemAlert";
import { SyncBadge } from "../components/SyncBadge";
import { money } from "../format";

export const PAGE_SIZE = 20;

export function ProductListPage() {
  const { client } = useAuth();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const pendingOnly = params.get("pending") === "1";
  // cursors[i] opens page i; page 0 has no cursor. Reset whenever the search changes.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<Product> | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [draft, setDraft] = useState(q);
  const [searchKey, setSearchKey] = useState(`${q}|${String(pendingOnly)}`);
  const cursor = cursors[cursors.length - 1] ?? null;

  const currentKey = `${q}|${String(pendingOnly)}`;
  if (currentKey !== searchKey) {
    setSearchKey(currentKey);
    setCursors([null]);
    setDraft(q);
  }

  useEffect(() => {
    const controller = new AbortController();
    listProducts(client, { q, pendingOnly, cursor, limit: PAGE_SIZE }, controller.signal)
      .then((result) => {
        setPage(result);
        setProblem(null);
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError) {
          setProblem(error.problem);
        } else if (!controller.signal.aborted) {
          throw error;
        }
      });
    return () => {
      controller.abort();
    };
  }, [client, q, pendingOnly, cursor]);

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (draft.trim()) {
      next.set("q", draft.trim());
    }
    if (pendingOnly) {
      next.set("pending", "1");
    }
    setParams(next);
  };

  const togglePending = (checked: boolean) => {
    const next = new URLSearchParams(params);
    if (checked) {
      next.set("pending", "1");
    } else {
      next.delete("pending");
    }
    setParams(next);
  };

  const pageNumber = cursors.length;
  return (
    <section>
      <h1>Products</h1>
      <form role="search" className="toolbar" onSubmit={onSearch}>
        <label>
          Search titles
          <input
            type="search"
            name="q"
            value={draft}
            maxLength={100}
            onChange={(event) => {
              setDraft(event.target.value);
            }}
          />
        </label>
        <button type="submit">Search</button>
        <label className="inline">
          <input
            type="checkbox"
            checked={pendingOnly}
            onChange={(event) => {
              togglePending(event.target.checked);
            }}
          />
          Only prices not yet on the marketplace
        </label>
      </form>
      {problem && <ProblemAlert problem={problem} />}
      {page === null && !problem && <p role="status">Loading products…</p>}
      {page !== null && page.items.length === 0 && (
        <p role="status">{q ? `No product title contains “${q}”.` : "No products."}</p>
      )}
      {page !== null && page.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Title</th>
              <th scope="col" className="number">
                Price
              </th>
              <th scope="col" className="number">
                Version
              </th>
              <th scope="col">Marketplace</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((product) => (
              <tr key={product.id}>
                <td>
                  <code>{product.sku}</code>
                </td>
                <td>
                  <Link to={`/products/${product.id}`}>{product.title}</Link>
                </td>
                <td className="number">{money(product.price, product.currency)}</td>
                <td className="number">{product.version}</td>
                <td>
                  <SyncBadge product={product} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={cursors.length <= 1}
          onClick={() => {
            setCursors(cursors.slice(0, -1));
          }}
        >
          Previous
        </button>
        <span>Page {pageNumber}</span>
        <button
          type="button"
          disabled={!page?.next_cursor}
          onClick={() => {
            if (page?.next_cursor) {
              setCursors([...cursors, page.next_cursor]);
            }
          }}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
