"""The pricing console in a real headless Chromium against a real `pricing-service serve`.

Each test works on its own demo product (seeded SKUs DEMO-000001..), so the order does not matter.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from conftest import ContextFactory
from live_stack import LiveStack
from playwright.sync_api import Page, expect

SYNC_TIMEOUT_MS = 30_000


def product(stack: LiveStack, sku: str) -> dict[str, Any]:
    with stack.api() as api:
        response = api.get("/api/products", params={"sku": sku}, headers=stack.admin_headers())
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
    assert len(items) == 1, f"no demo product {sku}: was the database seeded?"
    return items[0]


def a_valid_new_price(item: dict[str, Any]) -> str:
    """Ten units above the current price: inside [min, max] and far below the change limit."""
    return str(Decimal(item["price"]) + Decimal("10.00"))


def sign_in(page: Page, stack: LiveStack, path: str = "/") -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Email").fill(stack.admin_email)
    page.get_by_label("Password").fill(stack.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def change_price(page: Page, price: str, reason: str) -> None:
    page.get_by_label(re.compile("New price")).fill(price)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name=re.compile("Save price")).click()


def test_guard_sends_to_login_and_back_to_the_product(page: Page, stack: LiveStack) -> None:
    item = product(stack, "DEMO-000001")
    page.goto(f"/products/{item['id']}")

    expect(page).to_have_url(re.compile(rf"/login\?next=%2Fproducts%2F{item['id']}$"))
    page.get_by_label("Email").fill(stack.admin_email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That email and password do not match an active account.")
    expect(alert).to_contain_text("Request id:")

    page.get_by_label("Password").fill(stack.admin_password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/products/{item['id']}$"))
    expect(page.get_by_role("heading", name=item["title"])).to_be_visible()
    page.reload()  # the refresh token kept in the tab restores the session
    expect(page.get_by_role("heading", name=item["title"])).to_be_visible()


def test_price_update_and_guardrail_error(page: Page, stack: LiveStack) -> None:
    item = product(stack, "DEMO-000002")
    sign_in(page, stack, f"/products/{item['id']}")

    change_price(page, "1.00", "e2e: below the minimum")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This price is outside the range allowed for the product.")
    expect(alert).to_contain_text(f"between {item['min_price']} and {item['max_price']}")
    expect(page.get_by_test_id("version")).to_have_text(str(item["version"]))

    new_price = a_valid_new_price(item)
    change_price(page, new_price, "e2e: match competitor")
    expect(page.get_by_role("status")).to_contain_text(f"ARS {new_price}")
    expect(page.get_by_test_id("current-price")).to_have_text(f"ARS {new_price}")
    history = page.get_by_role("table", name="Price history")
    expect(history).to_contain_text("e2e: match competitor")

    page.get_by_role("link", name="Products").first.click()
    page.get_by_label("Search titles").fill(item["title"])
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=item["sku"])
    expect(row).to_contain_text("Pending sync")


def test_stale_version_conflict_from_a_second_tab(
    new_context: ContextFactory, stack: LiveStack
) -> None:
    item = product(stack, "DEMO-000003")
    first, second = new_context().new_page(), new_context().new_page()
    for tab in (first, second):
        sign_in(tab, stack, f"/products/{item['id']}")
        expect(tab.get_by_test_id("version")).to_have_text(str(item["version"]))

    change_price(second, a_valid_new_price(item), "e2e: second tab wins")
    expect(second.get_by_test_id("version")).to_have_text(str(item["version"] + 1))

    mine = str(Decimal(item["price"]) + Decimal("20.00"))
    change_price(first, mine, "e2e: first tab was stale")
    conflict = first.get_by_role("alert")
    expect(conflict).to_contain_text("Someone else changed this product while you were editing")
    expect(conflict).to_contain_text("Your price was not saved")
    first.get_by_role("button", name="Reload latest and keep my price").click()
    expect(first.get_by_test_id("version")).to_have_text(str(item["version"] + 1))
    expect(first.get_by_label(re.compile("New price"))).to_have_value(mine)

    first.get_by_role("button", name=re.compile("Save price")).click()
    expect(first.get_by_role("status")).to_contain_text(f"ARS {mine}")
    expect(first.get_by_test_id("version")).to_have_text(str(item["version"] + 2))


def test_sync_pushes_pending_prices_and_reports_freshness(page: Page, stack: LiveStack) -> None:
    item = product(stack, "DEMO-000004")
    new_price = a_valid_new_price(item)
    with stack.api() as api:
        changed = api.put(
            f"/api/products/{item['id']}/price",
            json={"price": new_price, "reason": "e2e: to sync", "version": item["version"]},
            headers=stack.admin_headers(),
        )
        assert changed.status_code == 200, changed.text

    sign_in(page, stack, "/sync")
    expect(page.get_by_test_id("backlog")).not_to_have_text("0")
    page.get_by_role("button", name="Sync now").click()

    job = page.get_by_test_id("sync-job")
    expect(job).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT_MS)
    expect(job).to_contain_text("Finished: every price reached the marketplace")
    expect(page.get_by_test_id("backlog")).to_have_text("0")
    expect(page.get_by_test_id("last-success")).not_to_have_text("never")
    with stack.api() as api:
        pushed = api.get(f"{stack.marketplace_url}/_fake/items").json()
    assert pushed[item["marketplace_item_id"]]["price"] == new_price
