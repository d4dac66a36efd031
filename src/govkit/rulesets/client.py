"""Repository rulesets over GitHub's REST API, through the kit's one GitHub client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from govkit.github import GitHubAPI

if TYPE_CHECKING:
    import httpx


class RulesetsClient:
    """List, read, create and update the rulesets of one repository (``owner/name``)."""

    def __init__(self, http: httpx.Client, repo: str) -> None:
        self.api = GitHubAPI(http)
        self.base = f"/repos/{repo}/rulesets"

    def list(self) -> list[dict[str, Any]]:
        """Every ruleset of the repository itself (not those inherited from the organization)."""
        return list(self.api.paginate(f"{self.base}?includes_parents=false&per_page=100"))

    def get(self, ruleset_id: int) -> dict[str, Any]:
        return self.api.object("GET", f"{self.base}/{ruleset_id}")

    def find(self, name: str) -> dict[str, Any] | None:
        """The full ruleset called ``name``, or None when the repository has none by that name."""
        summary = next(
            (
                r
                for r in self.list()
                if r.get("name") == name and r.get("source_type", "Repository") == "Repository"
            ),
            None,
        )
        return None if summary is None else self.get(int(summary["id"]))

    def create(self, ruleset: dict[str, Any]) -> dict[str, Any]:
        return self.api.object("POST", self.base, ruleset)

    def update(self, ruleset_id: int, ruleset: dict[str, Any]) -> dict[str, Any]:
        return self.api.object("PUT", f"{self.base}/{ruleset_id}", ruleset)
