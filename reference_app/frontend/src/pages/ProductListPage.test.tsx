import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { FakeServer, json } from "../test/fakeServer";
import { product, renderApp, signedIn } from "../test/render";

describe("product list", () => {
  it("searches, pages with the cursor and marks products waiting for a sync", async () => {
    const fake = signedIn(new FakeServer())
      .once("GET /api/products", () =>
        json(200, { items: [product({ pending_sync_since: "2026-11-26T09:00:00+00:00" })], next_cursor: "3" }),
      )
      .once("GET /api/products", () =>
        json(200, { items: [product({ id: 9, sku: "TV-65", title: "65 inch TV" })], next_cursor: null }),
      )
      .once("GET /api/products", () => json(200, { items: [], next_cursor: null }));
    const user = userEvent.setup();
    renderApp(fake, "/products", "refresh-0");

    const row = (await screen.findByRole("link", { name: "55 inch OLED TV" })).closest("tr");
    expect(row && within(row).getByText("Pending sync")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Next" }));
    const second = (await screen.findByRole("link", { name: "65 inch TV" })).closest("tr");
    expect(second && within(second).getByText("In sync")).toBeTruthy();
    expect(screen.getByText("Page 2")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Next" })).toHaveProperty("disabled", true);

    await user.type(screen.getByLabelText("Search titles"), "oled");
    await user.click(screen.getByRole("button", { name: "Search" }));

    expect(await screen.findByText("No product title contains “oled”.")).toBeTruthy();
    expect(screen.getByTestId("path").textContent).toBe("/products?q=oled");
    expect(screen.getByText("Page 1")).toBeTruthy();
    const urls = fake.calls.filter((c) => c.path === "/api/products").length;
    expect(urls).toBe(3);
  });
});
