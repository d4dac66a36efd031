"""The fleet index: what ``index.json`` says about each repository, read from its audit JSON.

Audit JSON is read defensively (``adoption``, ``scope`` and ``findings`` arrived with issue 20):
only ``score``, ``checks[*].id/family/status`` are required; the rest is optional.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from govkit import __version__

INDEX = "index.json"
HISTORY = "history"
INDEX_SCHEMA_VERSION = 1
# Names of files the fleet folder keeps for itself, never a repository's.
RESERVED = frozenset({"index"})


def now() -> str:
    """UTC, to the second, ISO 8601 with a Z: sortable as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def index_schema() -> dict[str, Any]:
    text = resources.files("govkit.fleet").joinpath("index.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def summarise(name: str, path: str, audit: dict[str, Any], audited_at: str) -> dict[str, Any]:
    """One audited repository's index entry, from its audit JSON."""
    failing: dict[str, list[str]] = {}
    families: dict[str, dict[str, int]] = {}
    for check in audit["checks"]:
        family = str(check.get("family") or "other")
        counts = families.setdefault(family, {"pass": 0, "fail": 0})
        status = check.get("status")
        if status == "pass":
            counts["pass"] += 1
        elif status == "fail":
            counts["fail"] += 1
            failing.setdefault(family, []).append(str(check["id"]))
    adoption = audit.get("adoption")
    return {
        "name": name,
        "path": path,
        "status": "audited",
        "file": f"{name}.json",
        "audited_at": audited_at,
        "health": int(audit["score"]),
        "adoption": None if adoption is None else int(adoption),
        "failing": {f: sorted(ids) for f, ids in sorted(failing.items())},
        "families": dict(sorted(families.items())),
    }


def unauditable(name: str, path: str, reason: str, audited_at: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "status": "unauditable",
        "reason": reason,
        "audited_at": audited_at,
    }


def build_index(entries: list[dict[str, Any]], audited_at: str) -> dict[str, Any]:
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "govkit_version": __version__,
        "audited_at": audited_at,
        "repositories": sorted(entries, key=lambda e: str(e["name"])),
    }


def write_index(folder: Path, index: dict[str, Any]) -> Path:
    """Write ``index.json`` and keep a copy in ``history/`` for the report's trends."""
    jsonschema.validate(index, index_schema())
    text = json.dumps(index, indent=2, sort_keys=True) + "\n"
    history = folder / HISTORY
    history.mkdir(parents=True, exist_ok=True)
    stamp = re.sub(r"[^0-9TZ]", "", index["audited_at"])
    copy = history / f"{stamp}.json"
    number = 1
    while copy.exists():  # two runs in the same second both stay
        number += 1
        copy = history / f"{stamp}-{number}.json"
    write_atomically(copy, text)
    target = folder / INDEX
    write_atomically(target, text)
    return target


def write_atomically(path: Path, text: str) -> None:
    """A partial file never replaces a good one."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from PATH, or ValueError saying which file is wrong and how."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} holds {type(data).__name__}, not a JSON object")
    return data


def is_audit(data: dict[str, Any]) -> bool:
    """Whether DATA looks like ``govkit audit --format json`` output."""
    checks = data.get("checks")
    return (
        isinstance(data.get("score"), int)
        and isinstance(checks, list)
        and all(isinstance(c, dict) and "id" in c and "status" in c for c in checks)
    )


def read_index(folder: Path) -> dict[str, Any]:
    """``index.json`` of FOLDER, checked against the schema (ValueError when it is not valid)."""
    index = read_json(folder / INDEX)
    try:
        jsonschema.validate(index, index_schema())
    except jsonschema.ValidationError as error:
        raise ValueError(f"{folder / INDEX} is not a fleet index: {error.message}") from None
    return index


def read_history(folder: Path) -> list[dict[str, Any]]:
    """Every index kept in ``history/``, oldest first; files that are not an index are skipped."""
    runs = []
    for path in sorted((folder / HISTORY).glob("*.json")):
        try:
            data = read_json(path)
            jsonschema.validate(data, index_schema())
        except (ValueError, jsonschema.ValidationError):
            continue
        runs.append(data)
    return sorted(runs, key=lambda run: str(run["audited_at"]))


def index_audits(folder: Path) -> dict[str, Any]:
    """An index of the audit JSON files already in FOLDER (gathered CI artifacts)."""
    audited_at = now()
    entries = []
    for path in sorted(folder.glob("*.json")):
        if path.stem in RESERVED:
            continue
        data = read_json(path)
        if not is_audit(data):
            raise ValueError(f"{path} is not a `govkit audit --format json` report")
        entries.append(summarise(path.stem, str(data.get("root", path.stem)), data, audited_at))
    if not entries:
        raise ValueError(f"{folder} holds no index.json and no audit JSON files")
    return build_index(entries, audited_at)
