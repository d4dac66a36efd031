"""CI configurations that no longer run: a file that looks like CI but tests nothing."""

from __future__ import annotations

from govkit.checks.base import EVERY_REPOSITORY, Check, Finding, register
from govkit.repo import Repo

# Configuration files of CI services or formats that have been shut down: path -> what replaced it.
RETIRED_CI = {
    "circle.yml": (
        "CircleCI 1.0 (`circle.yml`) stopped running builds in 2018; CircleCI reads only "
        "`.circleci/config.yml` (version 2.1)"
    ),
}


@register
class CI101(Check):
    """No CI configuration for a service or format that no longer runs"""

    scope = "health"
    kinds = frozenset({"dead-ci-config"})
    family = "ci"
    severity = "P2"
    ticket = "T01"
    applies = EVERY_REPOSITORY

    def check(self, repo: Repo) -> list[Finding]:
        return [
            Finding(
                f"{why}: this file runs nothing, so the checks it lists are not run. Move them "
                "to a CI that runs (e.g. a GitHub Actions workflow on pull_request) and delete it.",
                path,
                1,
            )
            for path, why in sorted(RETIRED_CI.items())
            if repo.exists(path)
        ]
