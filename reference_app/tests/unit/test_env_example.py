"""reference_app/.env.example documents every setting, and only settings that exist.

Names come from ``Settings.model_fields`` (upper-cased: pydantic-settings reads them
case-insensitively); an entry is a ``NAME=value`` line or an optional ``# NAME=value`` line,
with a comment line right above it saying what it does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pricing_service.settings import Settings, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
ENTRY = re.compile(r"^(?P<optional>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def entries(text: str) -> dict[str, tuple[int, bool, str]]:
    """NAME → (line index, active, value) for every setting line of an env example."""
    found: dict[str, tuple[int, bool, str]] = {}
    for index, line in enumerate(text.splitlines()):
        match = ENTRY.match(line)
        if match is None:
            continue
        name = match["name"]
        assert name not in found, f"{name} appears twice in .env.example"
        found[name] = (index, match["optional"] is None, match["value"])
    return found


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def mismatches(documented: set[str], in_code: set[str]) -> list[str]:
    problems = [
        f"{name}: a setting in pricing_service/settings.py but missing from .env.example"
        for name in sorted(in_code - documented)
    ]
    problems += [
        f"{name}: in .env.example but not a setting in pricing_service/settings.py"
        for name in sorted(documented - in_code)
    ]
    return problems


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(entries(ENV_EXAMPLE.read_text()))
    assert mismatches(documented, setting_names()) == []


def test_the_comparison_names_the_missing_and_the_unknown_variable() -> None:
    text = "# what it does\nAPP_ENV=development\n# gone\n# NO_SUCH_SETTING=1\n"
    problems = mismatches(set(entries(text)), {"APP_ENV", "DATABASE_URL"})
    assert problems == [
        "DATABASE_URL: a setting in pricing_service/settings.py but missing from .env.example",
        "NO_SUCH_SETTING: in .env.example but not a setting in pricing_service/settings.py",
    ]


def test_each_entry_has_a_comment_above_it() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for name, (index, _active, _value) in entries("\n".join(lines)).items():
        above = lines[index - 1] if index else ""
        described = above.startswith("#") and ENTRY.match(above) is None
        assert described, f"{name}: no comment line above it"
        assert len(above.strip("# ")) > 10, f"{name}: the comment above it says nothing"


def test_active_values_are_the_defaults_and_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Copying the example to .env must give a working development configuration.
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    example = entries(ENV_EXAMPLE.read_text())
    active = {name: value for name, (_i, is_active, value) in example.items() if is_active}
    # The one deliberate exception: the example is a development .env, while an unset APP_ENV
    # means production rules (a forgotten variable must not open development defaults).
    assert active["APP_ENV"] == "development"
    assert Settings.model_fields["app_env"].default == "production"
    for name, value in active.items():
        if name == "APP_ENV":
            continue
        default = Settings.model_fields[name.lower()].default
        assert str(default) == value, f"{name}: the example says {value}, the code {default}"
    env_file = tmp_path / ".env"
    env_file.write_text(ENV_EXAMPLE.read_text())
    settings = load_settings(_env_file=env_file)
    assert settings.app_env == "development"
    assert {name: str(getattr(settings, name.lower())) for name in active} == active


def test_secrets_are_never_given_a_value() -> None:
    for name, (_index, _active, value) in entries(ENV_EXAMPLE.read_text()).items():
        if name.endswith(("_SECRET", "_TOKEN")):
            assert value == "", f"{name}: leave secrets empty in .env.example"
