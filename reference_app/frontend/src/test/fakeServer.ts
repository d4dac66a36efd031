/**
 * A scripted stand-in for the pricing service, for unit tests: each handler answers one
 * "METHOD /path" (query string ignored) and every call is recorded for assertions.
 */

import type { FetchLike } from "../api/client";

export interface RecordedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Handler = (call: RecordedCall) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): Response {
  return new Response(
    JSON.stringify({
      type: `https://pricing-service.dev/problems/${code.replaceAll("_", "-")}`,
      title: code,
      status,
      detail,
      code,
      request_id: "req-test",
      ...extensions,
    }),
    { status, headers: { "Content-Type": "application/problem+json" } },
  );
}

export class FakeServer {
  readonly calls: RecordedCall[] = [];
  private readonly queued = new Map<string, Handler[]>();
  private readonly standing = new Map<string, Handler>();

  /** Answer the next call of "METHOD /path" with handler; several `once` calls queue up. */
  once(route: string, handler: Handler): this {
    this.queued.set(route, [...(this.queued.get(route) ?? []), handler]);
    return this;
  }

  /** Answer every call of "METHOD /path" (after the queued answers) with handler. */
  always(route: string, handler: Handler): this {
    this.standing.set(route, handler);
    return this;
  }

  callsTo(route: string): RecordedCall[] {
    return this.calls.filter((call) => `${call.method} ${call.path}` === route);
  }

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input, "http://console.test");
    const headers = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    const body: unknown = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    const call: RecordedCall = { method: init.method ?? "GET", path: url.pathname, headers, body };
    this.calls.push(call);
    const route = `${call.method} ${call.path}`;
    const handler = this.queued.get(route)?.shift() ?? this.standing.get(route);
    if (handler === undefined) {
      throw new Error(`unexpected call: ${route}`);
    }
    return Promise.resolve(handler(call));
  };
}
