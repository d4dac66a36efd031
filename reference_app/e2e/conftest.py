"""Fixtures of the browser tests: the live service, headless Chromium, a screenshot per failure.

Not collected by the normal test run (testpaths is ``tests``); `nox -s e2e` runs them. The
artifacts folder (server logs, failure screenshots) is E2E_ARTIFACTS_DIR (`nox -s e2e` sets
``.nox/e2e/artifacts``), else ``reference_app/e2e/artifacts`` (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from live_stack import LiveStack, chromium_path, live_stack
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

ContextFactory = Callable[[], BrowserContext]
FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("E2E_ARTIFACTS_DIR", HERE / "artifacts"))
    (folder / "screenshots").mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[LiveStack]:
    with live_stack(tmp_path_factory.mktemp("service"), artifacts / "logs") as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # launch() gives the browser a fresh temporary user-data-dir of its own, removed on close.
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture
def new_context(
    browser: Browser, stack: LiveStack, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[ContextFactory]:
    """Open isolated browser contexts (a second person, a second tab); screenshots on failure."""
    contexts: list[BrowserContext] = []

    def open_context() -> BrowserContext:
        context = browser.new_context(base_url=stack.base_url, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    failed = request.node.stash.get(FAILED, False)
    for index, context in enumerate(contexts):
        if failed:
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
            for number, page in enumerate(context.pages):
                page.screenshot(path=artifacts / "screenshots" / f"{name}-{index}-{number}.png")
        context.close()


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    return new_context().new_page()
