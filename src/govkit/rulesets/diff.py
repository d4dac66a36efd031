"""Compare the ruleset in a file with the live one GitHub returns.

GitHub adds fields of its own (id, source, _links, timestamps, parameters with defaults), so
only what the file says is compared; rules are matched by type and lists compared as sets.
A rule or required check that only the live ruleset has is a difference too: the file is
the source of truth, in both directions.
"""

from __future__ import annotations

import json
from typing import Any


def differences(wanted: Any, live: Any) -> list[str]:
    """One line per difference, ``path: file X, live Y``; empty when the live ruleset matches."""
    return _diff(wanted, live, "")


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _diff(wanted: Any, live: Any, path: str) -> list[str]:
    if isinstance(wanted, dict) and isinstance(live, dict):
        found: list[str] = []
        for key, value in wanted.items():
            where = f"{path}.{key}" if path else key
            if key not in live:
                found.append(f"{where}: file {_show(value)}, live has none")
            elif key == "rules" and isinstance(value, list) and isinstance(live[key], list):
                found.extend(_diff_rules(value, live[key]))
            else:
                found.extend(_diff(value, live[key], where))
        return found
    if isinstance(wanted, list) and isinstance(live, list):
        return _diff_list(wanted, live, path)
    if wanted != live:
        return [f"{path}: file {_show(wanted)}, live {_show(live)}"]
    return []


def _rule_types(rules: list[Any]) -> dict[str, Any]:
    return {r["type"]: r for r in rules if isinstance(r, dict) and isinstance(r.get("type"), str)}


def _diff_rules(wanted: list[Any], live: list[Any]) -> list[str]:
    mine, theirs = _rule_types(wanted), _rule_types(live)
    found: list[str] = []
    for kind, rule in mine.items():
        if kind not in theirs:
            found.append(f"rules[{kind}]: file {_show(rule)}, live has no such rule")
        else:
            found.extend(_diff(rule, theirs[kind], f"rules[{kind}]"))
    found.extend(
        f"rules[{kind}]: live only {_show(theirs[kind])}, the file has no such rule"
        for kind in theirs
        if kind not in mine
    )
    return found


def _key(item: Any) -> str:
    # Required checks are identified by context; GitHub may add an integration_id to each.
    if isinstance(item, dict) and "context" in item:
        return str(item["context"])
    return _show(item)


def _diff_list(wanted: list[Any], live: list[Any], path: str) -> list[str]:
    mine, theirs = {_key(i) for i in wanted}, {_key(i) for i in live}
    found = [f"{path}: {key} in the file, missing live" for key in sorted(mine - theirs)]
    found.extend(f"{path}: {key} live only, not in the file" for key in sorted(theirs - mine))
    return found
