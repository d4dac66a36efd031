import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { FakeServer, json, problem } from "../test/fakeServer";
import { MANAGER, product, renderApp, signedIn } from "../test/render";

const NO_HISTORY = { items: [], next_cursor: null };

function server(): FakeServer {
  return signedIn(new FakeServer()).always("GET /api/products/3/price-history", () =>
    json(200, NO_HISTORY),
  );
}

async function typePrice(price: string, reason: string) {
  const user = userEvent.setup();
  const priceInput = await screen.findByLabelText(/New price/);
  await user.clear(priceInput);
  await user.type(priceInput, price);
  await user.type(screen.getByLabelText("Reason"), reason);
  await user.click(screen.getByRole("button", { name: /Save price/ }));
  return user;
}

describe("product page", () => {
  it("sends the version it showed as If-Match and shows the saved price", async () => {
    const fake = server()
      .once("GET /api/products/3", () => json(200, product()))
      .once("PUT /api/products/3/price", () =>
        json(200, product({ price: "1250000.00", version: 5, pending_sync_since: "2026-11-26" })),
      );
    renderApp(fake, "/products/3", "refresh-0");

    await typePrice("1250000.00", "match competitor");

    expect((await screen.findByRole("status")).textContent).toContain("ARS 1250000.00 (version 5)");
    const put = fake.callsTo("PUT /api/products/3/price")[0];
    expect(put?.headers["if-match"]).toBe('"4"');
    expect(put?.body).toEqual({ price: "1250000.00", reason: "match competitor" });
    expect(screen.getByText("Pending sync")).toBeTruthy();
  });

  it("explains a guardrail violation with the allowed range", async () => {
    const fake = server()
      .once("GET /api/products/3", () => json(200, product()))
      .once("PUT /api/products/3/price", () =>
        problem(422, "price_outside_bounds", "price 1.00 is outside [1000000.00, 1500000.00]", {
          min_price: "1000000.00",
          max_price: "1500000.00",
        }),
      );
    renderApp(fake, "/products/3", "refresh-0");

    await typePrice("1.00", "typo test");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("outside the range allowed");
    expect(alert.textContent).toContain("between 1000000.00 and 1500000.00");
    expect(alert.textContent).toContain("price 1.00 is outside [1000000.00, 1500000.00]");
    expect(within(alert).queryByRole("button")).toBeNull();
  });

  it("explains a too-large change as a percentage of the current price", async () => {
    const fake = server()
      .once("GET /api/products/3", () => json(200, product()))
      .once("PUT /api/products/3/price", () =>
        problem(422, "price_change_too_large", "changes by more than 50%", {
          max_change_ratio: "0.5",
          old_price: "1200000.00",
        }),
      );
    renderApp(fake, "/products/3", "refresh-0");

    await typePrice("1499999.00", "x");

    expect((await screen.findByRole("alert")).textContent).toContain(
      "at most 50% of the current 1200000.00",
    );
  });

  it("on a stale version explains the conflict, reloads the latest and lets the person retry", async () => {
    const fake = server()
      .once("GET /api/products/3", () => json(200, product()))
      .once("PUT /api/products/3/price", () =>
        problem(412, "version_mismatch", "the product changed: it is now at version 5", {
          current_version: 5,
        }),
      )
      .once("GET /api/products/3", () => json(200, product({ price: "1300000.00", version: 5 })))
      .once("PUT /api/products/3/price", () =>
        json(200, product({ price: "1250000.00", version: 6 })),
      );
    renderApp(fake, "/products/3", "refresh-0");

    const user = await typePrice("1250000.00", "match competitor");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Someone else changed this product while you were editing");
    expect(alert.textContent).toContain("Your price was not saved");
    expect(alert.textContent).toContain("version 5");
    expect(screen.getByRole("button", { name: /Save price/ })).toHaveProperty("disabled", true);

    await user.click(within(alert).getByRole("button", { name: "Reload latest and keep my price" }));

    expect((await screen.findByTestId("current-price")).textContent).toBe("ARS 1300000.00");
    await screen.findByRole("button", { name: "Save price (from version 5)" });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>(/New price/).value).toBe("1250000.00");
    expect(screen.getByLabelText<HTMLInputElement>("Reason").value).toBe("match competitor");

    await user.click(screen.getByRole("button", { name: "Save price (from version 5)" }));

    expect((await screen.findByRole("status")).textContent).toContain("version 6");
    expect(fake.callsTo("PUT /api/products/3/price")[1]?.headers["if-match"]).toBe('"5"');
  });

  it("shows per-field validation errors next to the field", async () => {
    const fake = server()
      .once("GET /api/products/3", () => json(200, product()))
      .once("PUT /api/products/3/price", () =>
        problem(422, "money_too_many_decimals", "#/price has more than 2 decimals", {
          errors: [{ pointer: "#/price", detail: "has more than 2 decimal places" }],
        }),
      );
    renderApp(fake, "/products/3", "refresh-0");

    await typePrice("12.345", "x");

    expect(await screen.findByText("has more than 2 decimal places")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("not a valid amount");
  });

  it("hides the form from a role that cannot change prices", async () => {
    const viewer = { ...MANAGER, role: "viewer", permissions: ["products:read", "sync:read"] };
    const fake = signedIn(new FakeServer(), viewer)
      .always("GET /api/products/3/price-history", () =>
        json(200, {
          items: [
            {
              id: 1,
              product_id: 3,
              old_price: "1100000.00",
              new_price: "1200000.00",
              version: 4,
              actor_id: 2,
              reason: "season",
              request_id: "r",
              created_at: "2026-11-20T10:00:00+00:00",
            },
          ],
          next_cursor: null,
        }),
      )
      .once("GET /api/products/3", () => json(200, product()));
    renderApp(fake, "/products/3", "refresh-0");

    expect(await screen.findByText("Your role can read prices but not change them.")).toBeTruthy();
    expect(screen.queryByLabelText(/New price/)).toBeNull();
    const history = screen.getByRole("table", { name: "Price history" });
    expect(within(history).getByText("season")).toBeTruthy();
  });
});
