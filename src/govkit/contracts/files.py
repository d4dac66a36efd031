"""Reading contract files, and writing them deterministically (sorted keys, 2-space indent)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from govkit.contracts.spec import SpecError


def load_spec(path: Path | str) -> dict[str, Any]:
    """Parse a JSON (or, by extension, YAML) OpenAPI file; SpecError (one line) if unreadable."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{file}: cannot read: {error.__class__.__name__}") from error
    try:
        if file.suffix.lower() in {".yaml", ".yml"}:
            document = yaml.safe_load(text)
        else:
            document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(f"{file}: invalid JSON at line {error.lineno}: {error.msg}") from error
    except yaml.YAMLError as error:
        raise SpecError(f"{file}: invalid YAML: {str(error).splitlines()[0]}") from error
    if not isinstance(document, dict):
        raise SpecError(f"{file}: an OpenAPI document must be an object")
    return document


def dumps_spec(document: Mapping[str, Any]) -> str:
    """The canonical text of a contract: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_spec(document: Mapping[str, Any], path: Path | str) -> bool:
    """Write the canonical text; return True when the file changed (False: already identical)."""
    file = Path(path)
    text = dumps_spec(document)
    try:
        if file.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass  # missing or unreadable: write it afresh
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return True
