/** The route guard: a signed-out person goes to /login?next=<where they were going>. */

import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";

import { useAuth } from "./AuthContext";

export function loginPathFor(next: string): string {
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

/**
 * Where to go after login: the `next` parameter when it is a path of this console, else the
 * product list. Only same-origin paths: `//evil.example` or `https://...` would be an open redirect.
 */
export function safeNext(next: string | null): string {
  if (next === null || !next.startsWith("/") || next.startsWith("/login")) {
    return "/products";
  }
  // "//host" and "/\\host" are protocol-relative URLs to another origin in browsers.
  return next.startsWith("//") || next.startsWith("/\\") ? "/products" : next;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "loading") {
    return (
      <p role="status" className="muted">
        Restoring your session…
      </p>
    );
  }
  if (status === "signed-out") {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={loginPathFor(next)} replace />;
  }
  return children;
}
