"""The fleet report as a person sees it: headless Chromium opens it from disk (`nox -s fleet_e2e`).

Not part of `nox -s tests` (it needs a browser). Screenshots of every step go to
FLEET_E2E_ARTIFACTS (`nox -s fleet_e2e` sets it and prints it), else a temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from govkit.cli import main
from kit_tests.fleet_support import make_fleet

REPOSITORIES = 6
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    """Playwright's own Chromium with E2E_BROWSER=playwright (None), else Debian's."""
    if os.environ.get("E2E_BROWSER") == "playwright":
        return None
    path = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(f"{path} is missing: run `nox -s fleet_e2e`, which installs Debian's chromium")
    return path


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("FLEET_E2E_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fleet folder audited twice (a trend of two runs) and its report."""
    root = tmp_path_factory.mktemp("fleet")
    repos = [str(p) for p in make_fleet(root / "clones", REPOSITORIES)]
    out = root / "fleet"
    assert main(["fleet", "audit", *repos[:-1], "--out", str(out)]) == 0
    assert main(["fleet", "audit", *repos, "--out", str(out)]) == 0
    assert main(["fleet", "report", str(out)]) == 0
    return out / "index.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[Page]:
    """The report opened from disk; fails on a request for anything but a file, or a page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    fetched: list[str] = []
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a Content-Security-Policy violation lands here
            errors.append(message.text)

    opened.on("request", lambda request: fetched.append(request.url))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", console)
    opened.goto(report.as_uri())
    yield opened
    context.close()
    assert [url for url in fetched if not url.startswith("file://")] == []
    assert errors == []


def column(page: Page, cell: str) -> list[str]:
    return page.locator(f"#repositories tbody tr td.{cell}").all_inner_texts()


def test_repositories_sort_by_health_and_name(page: Page, artifacts: Path) -> None:
    health = [int(v) for v in column(page, "health")]
    assert health == sorted(health)  # written worst first
    page.get_by_role("button", name="health").click()
    descending = [int(v) for v in column(page, "health")]
    assert descending == sorted(health, reverse=True)
    header = page.locator("#repositories th[data-key=health]")
    assert header.get_attribute("aria-sort") == "descending"
    page.screenshot(path=artifacts / "sorted-by-health.png", full_page=True)
    page.get_by_role("button", name="health").click()
    assert [int(v) for v in column(page, "health")] == sorted(health)
    page.get_by_role("button", name="repository").click()
    names = page.locator("#repositories tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names)
    assert len(names) == REPOSITORIES


def test_heatmap_has_one_row_per_repository(page: Page, artifacts: Path) -> None:
    rows = page.locator("#heatmap tbody tr")
    assert rows.count() == REPOSITORIES
    families = page.locator("#heatmap thead th").count() - 1
    for index in range(REPOSITORIES):
        assert rows.nth(index).locator("td.cell").count() == families
    page.locator("#heatmap").screenshot(path=artifacts / "heatmap.png")


def test_failing_check_links_to_its_fix(page: Page, artifacts: Path) -> None:
    link = page.locator("#most-failing a.fix-link").first
    repository = link.inner_text()
    check = link.locator("xpath=ancestor::tr").get_attribute("data-check")
    link.click()
    page.wait_for_url(f"**/{repository}.html#check-{check}")
    fix = page.locator(f"#check-{check} pre.fix")
    assert fix.is_visible()
    assert fix.inner_text().strip()  # the fix itself, said exactly
    page.screenshot(path=artifacts / "fix.png")


def test_trend_charts_draw_both_runs(page: Page, artifacts: Path) -> None:
    lines = page.locator("#fleet-trend svg polyline").count()
    assert lines == 2  # the health and the adoption score
    assert page.locator("#fleet-trend svg circle").count() == 2 * lines  # a point per run
    sparks = page.locator("#repositories svg.spark")
    assert sparks.count() == REPOSITORIES
    assert page.locator("#repositories svg.spark polyline").count() == REPOSITORIES - 1
    page.screenshot(path=artifacts / "fleet.png", full_page=True)
