import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { FakeServer, json, problem } from "../test/fakeServer";
import { MANAGER, product, renderApp, signedIn, tokens } from "../test/render";
import { loginPathFor, safeNext } from "./RequireAuth";

const PASSPHRASE = "a long passphrase"; // pragma: allowlist secret (a test value)

function productServer(): FakeServer {
  return new FakeServer()
    .always("GET /api/products/3", () => json(200, product()))
    .always("GET /api/products/3/price-history", () => json(200, { items: [], next_cursor: null }));
}

describe("route guard and login", () => {
  it("sends a signed-out person to login, then back to where they were going", async () => {
    const server = productServer()
      .once("POST /api/auth/login", () =>
        problem(401, "invalid_credentials", "invalid email or password"),
      )
      .once("POST /api/auth/login", () => json(200, tokens(1)))
      .always("GET /api/auth/me", () => json(200, MANAGER));
    const user = userEvent.setup();
    renderApp(server, "/products/3?tab=history");

    expect(screen.getByTestId("path").textContent).toBe(
      "/login?next=%2Fproducts%2F3%3Ftab%3Dhistory",
    );
    await user.type(screen.getByLabelText("Email"), "maria@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("That email and password do not match an active account.");
    expect(alert.textContent).toContain("invalid email or password");
    expect(alert.textContent).toContain("req-test");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), PASSPHRASE);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { name: "55 inch OLED TV" })).toBeTruthy();
    expect(screen.getByTestId("path").textContent).toBe("/products/3?tab=history");
    expect(server.callsTo("POST /api/auth/login")[1]?.body).toEqual({
      email: "maria@example.com",
      password: PASSPHRASE,
    });
  });

  it("shows per-field errors of a 422 on the login form", async () => {
    const server = new FakeServer().once("POST /api/auth/login", () =>
      problem(422, "validation_failed", "#/email value is not a valid email address", {
        errors: [{ pointer: "#/email", detail: "value is not a valid email address" }],
      }),
    );
    const user = userEvent.setup();
    renderApp(server, "/login");

    await user.type(screen.getByLabelText("Email"), "maria");
    await user.type(screen.getByLabelText("Password"), "x");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("value is not a valid email address")).toBeTruthy();
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
  });

  it("restores the session from the kept refresh token without asking for a password", async () => {
    const server = signedIn(productServer());
    renderApp(server, "/products/3", "refresh-0");

    expect(await screen.findByRole("heading", { name: "55 inch OLED TV" })).toBeTruthy();
    expect(screen.getByTestId("path").textContent).toBe("/products/3");
    expect(screen.getByText("maria@example.com")).toBeTruthy();
  });

  it("sends the person to login when the session ends in the middle of their work", async () => {
    const server = signedIn(new FakeServer())
      .once("GET /api/products", () => problem(401, "invalid_token", "session ended"))
      .once("POST /api/auth/refresh", () => problem(401, "invalid_token", "refresh token reused"));
    const { store } = renderApp(server, "/products", "refresh-0");

    await waitFor(() => {
      expect(screen.getByTestId("path").textContent).toBe("/login?next=%2Fproducts");
    });
    expect(store.get()).toBeNull();
  });
});

describe("safeNext", () => {
  it.each([
    ["/products/3?q=tv", "/products/3?q=tv"],
    [null, "/products"],
    ["//evil.example/x", "/products"],
    ["/\\evil.example", "/products"],
    ["https://evil.example", "/products"],
    ["/login?next=/login", "/products"],
  ])("%s → %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it("omits next for the root", () => {
    expect(loginPathFor("/")).toBe("/login");
  });
});
