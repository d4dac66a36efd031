import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { SyncJob, SyncStatus } from "../api/types";
import { FakeServer, json, problem } from "../test/fakeServer";
import { renderApp, signedIn } from "../test/render";
import { POLL_MS } from "./SyncPage";

// Only the poll interval is faked: waitFor and user events keep real timeouts.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
});
afterEach(() => {
  vi.useRealTimers();
});


function job(overrides: Partial<SyncJob> = {}): SyncJob {
  return {
    id: 12,
    status: "queued",
    trigger: "api",
    requested_by: 7,
    request_id: "r",
    product_ids: null,
    items_total: 0,
    items_succeeded: 0,
    items_failed: 0,
    retries: 0,
    created_at: "2026-11-26T10:00:00+00:00",
    started_at: null,
    finished_at: null,
    heartbeat_at: null,
    last_error: null,
    ...overrides,
  };
}

function status(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    backlog: 2,
    oldest_pending_since: "2026-11-26T09:50:00+00:00",
    oldest_pending_age_seconds: 600,
    last_success_at: null,
    degraded: false,
    degraded_reason: null,
    active_job: null,
    ...overrides,
  };
}

describe("sync panel", () => {
  it("starts a sync and follows the job until it finishes, then refreshes freshness", async () => {
    const fake = signedIn(new FakeServer())
      .once("GET /api/sync/status", () => json(200, status()))
      .once("POST /api/sync/ml", () => json(202, job()))
      .once("GET /api/sync/jobs/12", () =>
        json(200, job({ status: "running", items_total: 2, items_succeeded: 1 })),
      )
      .once("GET /api/sync/jobs/12", () =>
        json(
          200,
          job({ status: "succeeded", items_total: 2, items_succeeded: 2, finished_at: "2026-11-26T10:00:05+00:00" }),
        ),
      )
      .once("GET /api/sync/status", () =>
        json(200, status({ backlog: 0, oldest_pending_age_seconds: 0, last_success_at: "2026-11-26T10:00:05+00:00" })),
      );
    const user = userEvent.setup();
    renderApp(fake, "/sync", "refresh-0");

    expect((await screen.findByTestId("backlog")).textContent).toBe("2");
    expect(screen.getByText("10 min")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Sync now" }));
    expect((await screen.findByTestId("sync-job")).dataset.status).toBe("queued");

    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    await waitFor(() => {
      expect(screen.getByTestId("sync-job").dataset.status).toBe("running");
    });
    expect(screen.getByText(/1 of 2 products handled/)).toBeTruthy();
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    await waitFor(() => {
      expect(screen.getByTestId("sync-job").dataset.status).toBe("succeeded");
    });
    expect(screen.getByText("Finished: every price reached the marketplace")).toBeTruthy();
    await waitFor(() => {
      expect(screen.getByTestId("backlog").textContent).toBe("0");
    });
    expect(screen.getByRole("button", { name: "Sync now" })).toHaveProperty("disabled", false);
  });

  it("shows the job already running when the page opens", async () => {
    const running = job({ status: "running", items_total: 4, items_succeeded: 1, items_failed: 1 });
    const fake = signedIn(new FakeServer())
      .once("GET /api/sync/status", () => json(200, status({ active_job: running })))
      .always("GET /api/sync/jobs/12", () => json(200, running));
    renderApp(fake, "/sync", "refresh-0");

    expect(await screen.findByText(/2 of 4 products handled/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sync running…" })).toHaveProperty("disabled", true);
  });

  it("shows why a sync cannot start", async () => {
    const fake = signedIn(new FakeServer())
      .once("GET /api/sync/status", () => json(200, status({ degraded: true, degraded_reason: "invalid_grant" })))
      .once("POST /api/sync/ml", () =>
        problem(503, "sync_degraded", "marketplace authorization lost. Re-authorize the seller."),
      );
    const user = userEvent.setup();
    renderApp(fake, "/sync", "refresh-0");

    await user.click(await screen.findByRole("button", { name: "Sync now" }));

    expect((await screen.findByRole("alert")).textContent).toContain("Re-authorize the seller");
    expect(screen.getByText("Broken: invalid_grant")).toBeTruthy();
  });
});
