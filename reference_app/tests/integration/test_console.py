"""The built console is served behind every API route and never shadows one (console.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pricing_service.core.settings import SettingsError
from pricing_service.main import create_app
from pricing_service.settings import Settings, load_settings

INDEX = '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js">'
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def console_dir(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("outside the build")
    return tmp_path


@pytest.fixture
def console(make_settings: Callable[..., Settings], console_dir: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(console_dir=console_dir))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_root_and_client_routes_get_the_index(console: TestClient) -> None:
    root = console.get("/")
    assert root.status_code == 200
    assert root.text == INDEX
    assert root.headers["cache-control"] == "no-cache"
    assert "frame-ancestors 'none'" in root.headers["content-security-policy"]
    deep_link = console.get("/products/12", headers=BROWSER)
    assert deep_link.status_code == 200
    assert deep_link.text == INDEX


def test_built_files_are_served_with_cache_headers(console: TestClient) -> None:
    asset = console.get("/assets/app-1a2b.js")
    assert asset.status_code == 200
    assert asset.text == "console.log('app')"
    assert "immutable" in asset.headers["cache-control"]
    assert console.get("/favicon.svg").headers["cache-control"] == "no-cache"
    assert console.head("/assets/app-1a2b.js").status_code == 200


def test_api_paths_are_never_answered_with_console_files(console: TestClient) -> None:
    for path in ("/api/no-such-thing", "/api/products/oops/x", "/health/nope", "/metrics"):
        response = console.get(path, headers=BROWSER)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path
    assert console.get("/api/products").status_code == 401
    assert console.get("/health/live").status_code == 200


def test_non_browser_misses_and_writes_stay_problem_json(console: TestClient) -> None:
    missing = console.get("/no/such/route")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert console.post("/products/12", headers=BROWSER).status_code == 404
    assert console.get("/assets/missing.js").status_code == 404


def test_no_file_outside_the_build_is_served(console: TestClient) -> None:
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
        response = console.get(path)
        assert "outside the build" not in response.text, path


def test_console_is_not_a_route(make_settings: Callable[..., Settings], console_dir: Path) -> None:
    with_console = create_app(make_settings(console_dir=console_dir))
    without = create_app(make_settings(console_dir=None))
    paths = {getattr(route, "path", None) for route in with_console.routes}
    assert paths == {getattr(route, "path", None) for route in without.routes}


def test_an_unbuilt_console_dir_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CONSOLE_DIR", str(tmp_path))
    with pytest.raises(SettingsError, match=r"CONSOLE_DIR: .* has no index.html"):
        load_settings()
