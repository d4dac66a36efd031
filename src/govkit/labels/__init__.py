"""Labels as code: ``.github/labels.yml`` validated, and synced to GitHub."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from govkit.github import GitHubAPI

LABELS_FILE = ".github/labels.yml"
# The seed's suggested labels for AI-assisted and human work alike.
REQUIRED_LABELS = (
    "area:backend",
    "area:frontend",
    "area:devx",
    "priority:P0",
    "priority:P1",
    "priority:P2",
    "effort:S",
    "effort:M",
    "effort:L",
    "source:ai-assisted",
)
_COLOR = re.compile(r"[0-9a-f]{6}")
MAX_DESCRIPTION = 100  # GitHub's limit


@dataclass(frozen=True)
class Label:
    name: str
    color: str
    description: str

    def as_api(self) -> dict[str, str]:
        return {"name": self.name, "color": self.color, "description": self.description}


def parse_labels(data: Any) -> tuple[list[Label], list[str]]:
    """The labels of a parsed labels.yml, and every problem found (empty when valid)."""
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        return [], ["the file must hold a mapping with a `labels:` list"]
    labels: list[Label] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(data["labels"]):
        where = f"labels[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be a mapping with name, color and description")
            continue
        name, color, description = item.get("name"), item.get("color"), item.get("description")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: `name` is required")
            continue
        where = f"label {name!r}"
        if name.lower() in seen:
            problems.append(f"{where} is listed twice (GitHub label names ignore case)")
        seen.add(name.lower())
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            problems.append(f'{where}: `color` must be six lowercase hex digits, e.g. "1d76db"')
            continue
        if not isinstance(description, str) or not description.strip():
            problems.append(f"{where}: `description` is required (say when to use the label)")
            continue
        if len(description) > MAX_DESCRIPTION:
            problems.append(f"{where}: `description` exceeds GitHub's {MAX_DESCRIPTION} characters")
        labels.append(Label(name, color, description))
    names = {label.name for label in labels}
    problems += [
        f"required label {required!r} is missing"
        for required in REQUIRED_LABELS
        if required not in names and required.lower() not in seen
    ]
    return labels, problems


@dataclass(frozen=True)
class Change:
    action: str  # "create", "update" or "delete"
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.action:6} {self.name}: {self.detail}"


def plan(wanted: list[Label], live: list[dict[str, Any]], *, prune: bool) -> list[Change]:
    """What must change on GitHub so its labels equal the file's."""
    by_name = {str(item.get("name", "")).lower(): item for item in live}
    changes: list[Change] = []
    for label in wanted:
        current = by_name.pop(label.name.lower(), None)
        if current is None:
            changes.append(Change("create", label.name, f"color {label.color}"))
            continue
        diffs = [
            f"{key} {current.get(key)!r} -> {value!r}"
            for key, value in label.as_api().items()
            if str(current.get(key) or "") != value
        ]
        if diffs:
            changes.append(Change("update", label.name, "; ".join(diffs)))
    if prune:
        changes += [
            Change("delete", str(item.get("name")), "not in the labels file")
            for item in by_name.values()
        ]
    return changes


class LabelsClient:
    """The labels of one repository (``owner/name``)."""

    def __init__(self, api: GitHubAPI, repo: str) -> None:
        self.api = api
        self.base = f"/repos/{repo}/labels"

    def list(self) -> list[dict[str, Any]]:
        return list(self.api.paginate(f"{self.base}?per_page=100"))

    def apply(self, change: Change, wanted: dict[str, Label]) -> None:
        target = f"{self.base}/{quote(change.name, safe='')}"
        if change.action == "create":
            self.api.object("POST", self.base, wanted[change.name.lower()].as_api())
        elif change.action == "update":
            label = wanted[change.name.lower()]
            self.api.object(
                "PATCH",
                target,
                {"new_name": label.name, "color": label.color, "description": label.description},
            )
        else:
            self.api.request("DELETE", target)
