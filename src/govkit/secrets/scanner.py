"""The secrets gate on top of detect-secrets: hook semantics, baseline audit, baseline refresh.

``scan`` reports every potential secret in the given files that the baseline does not hold
(what ``detect-secrets-hook --baseline`` does, without rewriting the baseline);
``baseline_problems`` reports baseline entries audited as real secrets or not audited at all.
Both load govkit's extra plugins (:mod:`govkit.secrets.plugins`). Results carry file, line
and type only: the secret itself never leaves detect-secrets.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detect_secrets.core import baseline as ds_baseline
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import Settings, transient_settings

from govkit.secrets import plugins as govkit_plugins

DEFAULT_BASELINE = ".secrets.baseline"
_PLUGINS_FILE = Path(govkit_plugins.__file__).resolve()
_GOVKIT_PLUGIN_NAMES = frozenset(p.__name__ for p in govkit_plugins.GOVKIT_PLUGINS)
_BASELINE_FILTER = "detect_secrets.filters.common.is_baseline_file"
_VERIFICATION_FILTER = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"


class BaselineError(Exception):
    """The baseline file is missing or is not a detect-secrets baseline."""


@dataclass(frozen=True, order=True)
class Finding:
    """A potential secret: where it is and what kind, never its value."""

    filename: str
    line: int
    secret_type: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.secret_type}"


def load_baseline(path: Path) -> dict[str, Any]:
    """The baseline as a dict, upgraded to the running detect-secrets version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BaselineError(
            f"{path} not found: create it with `govkit secrets baseline`"
        ) from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"{path} is not readable JSON: {error}") from error
    if not (isinstance(data, dict) and isinstance(data.get("results"), dict) and "version" in data):
        raise BaselineError(f"{path} is not a detect-secrets baseline (no version/results)")
    upgraded: dict[str, Any] = ds_baseline.upgrade(data)
    return upgraded


def baseline_problems(
    baseline: dict[str, Any], pending: frozenset[tuple[str, str]] = frozenset()
) -> list[tuple[Finding, str]]:
    """Baseline entries that must not be there: audited as a real secret, or never audited.

    ``pending`` holds the (file, hashed secret) pairs recorded at adoption and not yet reviewed
    (:mod:`govkit.secrets.adoption`): unaudited, they are let through.
    """
    problems: list[tuple[Finding, str]] = []
    for filename, entries in sorted(baseline.get("results", {}).items()):
        for entry in entries:
            finding = Finding(filename, int(entry.get("line_number", 0)), str(entry.get("type")))
            if "is_secret" not in entry:
                if (filename, str(entry.get("hashed_secret"))) not in pending:
                    problems.append((finding, "not audited"))
            elif entry["is_secret"] is not False:
                problems.append((finding, "audited as a real secret"))
    return sorted(problems)


def tracked_files(root: Path = Path()) -> list[str]:
    """Files git tracks under root, plus new files it does not ignore (paths relative to root)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise BaselineError(f"cannot list tracked files in {root}: not a git work tree") from error
    return sorted(name for name in out.decode("utf-8", "replace").split("\0") if name)


def scan(
    filenames: Sequence[str],
    baseline: dict[str, Any],
    baseline_file: str = DEFAULT_BASELINE,
) -> list[Finding]:
    """Potential secrets in filenames (relative to the current directory) not in the baseline."""
    with _settings(baseline, baseline_file):
        found = _collect(filenames)
        known = SecretsCollection.load_from_baseline(baseline)
        return _findings(found - known)


def create_baseline(
    filenames: Sequence[str],
    old: dict[str, Any] | None,
    baseline_file: str = DEFAULT_BASELINE,
) -> dict[str, Any]:
    """A fresh baseline of filenames that keeps the audit decisions of the old one."""
    start = old or _default_config()
    with _settings(start, baseline_file):
        found = _collect(filenames)
        if old is not None:
            found.merge(SecretsCollection.load_from_baseline(old))
        output: dict[str, Any] = ds_baseline.format_for_output(found)
    output["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    output["plugins_used"] = [_portable(p) for p in output["plugins_used"] if _portable(p)]
    output["filters_used"] = [f for f in output["filters_used"] if f["path"] != _BASELINE_FILTER]
    return output


def write_baseline(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _collect(filenames: Sequence[str]) -> SecretsCollection:
    collection = SecretsCollection()
    existing = [f for f in filenames if os.path.isfile(f) and not os.path.islink(f)]
    if existing:
        collection.scan_files(*existing, num_processors=min(4, os.cpu_count() or 1))
    return collection


def _findings(collection: SecretsCollection) -> list[Finding]:
    return sorted(
        Finding(filename, int(secret.line_number or 0), str(secret.type))
        for filename, secret in collection
    )


def _default_config() -> dict[str, Any]:
    """What `detect-secrets scan` starts from: every built-in plugin and the default filters."""
    get_mapping_from_secret_type_to_class.cache_clear()
    plugins: list[type] = list(get_mapping_from_secret_type_to_class().values())
    names = sorted(cls.__name__ for cls in plugins if cls.__name__ not in _GOVKIT_PLUGIN_NAMES)
    get_mapping_from_secret_type_to_class.cache_clear()
    defaults = Settings()
    filters: list[dict[str, Any]] = [
        {"path": path} for path in sorted(defaults.filters) if path not in Settings.DEFAULT_FILTERS
    ]
    filters.append({"path": _VERIFICATION_FILTER, "min_level": 2})
    return {"plugins_used": [{"name": n} for n in names], "filters_used": filters, "results": {}}


@contextmanager
def _settings(baseline: dict[str, Any], baseline_file: str) -> Iterator[None]:
    """detect-secrets settings of the baseline plus govkit's plugins, for this block only."""
    plugins = [p for p in baseline.get("plugins_used", []) if p["name"] not in _GOVKIT_PLUGIN_NAMES]
    plugins += [
        {"name": name, "path": f"file://{_PLUGINS_FILE}"} for name in sorted(_GOVKIT_PLUGIN_NAMES)
    ]
    filters = [f for f in baseline.get("filters_used", []) if f["path"] != _BASELINE_FILTER]
    filters.append({"path": _BASELINE_FILTER, "filename": baseline_file})
    # detect-secrets caches the plugin classes (and custom plugin files) once per process.
    get_mapping_from_secret_type_to_class.cache_clear()
    try:
        with transient_settings({"plugins_used": plugins, "filters_used": filters}):
            yield
    finally:
        get_mapping_from_secret_type_to_class.cache_clear()


def _portable(plugin: dict[str, Any]) -> dict[str, Any] | None:
    """A plugins_used entry fit to commit: govkit's plugin path relative to the repository."""
    if plugin["name"] not in _GOVKIT_PLUGIN_NAMES:
        return plugin
    try:
        relative = _PLUGINS_FILE.relative_to(Path.cwd().resolve())
    except ValueError:
        return None  # govkit is installed outside this repository: scans add its plugins anyway
    return {**plugin, "path": f"file://{relative.as_posix()}"}
