"""Wildcard CORS found by following values (issue 20): settings defaults, constants, environment
defaults, conditionals, regexes and Django settings; and the configurations that are safe."""

from __future__ import annotations

from pathlib import Path

from govkit.checks.cors import cors_findings
from govkit.repo import Repo

FIXTURES = Path(__file__).parent / "fixtures" / "audit"


def findings(name: str) -> dict[tuple[str | None, int | None], str]:
    return {(f.path, f.line): f.message for f in cors_findings(Repo(FIXTURES / name))}


def test_every_way_a_wildcard_arrives_is_reported_at_the_sink() -> None:
    found = findings("cors_wildcard")
    assert set(found) == {
        ("app/main.py", 9),  # settings.allowed_hosts, default ["*"] in app/config.py
        ("app/constant.py", 7),  # a module constant holding "*"
        ("app/environment.py", 12),  # os.getenv("ORIGINS", "*").split(",")
        ("app/environment.py", 20),  # ["*"] if DEBUG else [...]
        ("app/regex.py", 7),  # allow_origin_regex=r"^.*$" through a constant
        ("config/settings/cors.py", 6),  # CORS_ALLOW_ALL_ORIGINS with an environment default
        ("config/settings/cors.py", 8),  # env.list("CORS_ALLOWED_ORIGINS", default=["*"])
    }
    settings = found[("app/main.py", 9)]
    assert "the default of Settings.allowed_hosts (app/config.py:6)" in settings
    assert "with credentials allowed" in settings
    assert "credentials" not in found[("app/constant.py", 7)]
    assert "(app/constant.py:5)" in found[("app/constant.py", 7)]
    assert "environment default of ORIGINS" in found[("app/environment.py", 12)]
    assert "taken when `DEBUG`" in found[("app/environment.py", 20)]
    assert "matches every origin" in found[("app/regex.py", 7)]
    django = found[("config/settings/cors.py", 6)]
    assert "environment default of CORS_ALLOW_ALL_ORIGINS" in django
    assert "with credentials allowed" in django
    assert 'holds "*"' in found[("config/settings/cors.py", 8)]
    assert all("allow" in message.lower() for message in found.values())  # each says the fix


def test_explicit_origins_and_development_only_wildcards_are_not_reported() -> None:
    # explicit origins from settings and the environment, wildcard methods and headers, a
    # narrow regex, "*" only under a development test, Django with an explicit list
    assert findings("cors_safe") == {}


def test_a_module_that_does_not_parse_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("app.add_middleware(CORSMiddleware, allow_origins=X\n")
    assert cors_findings(Repo(tmp_path)) == []
