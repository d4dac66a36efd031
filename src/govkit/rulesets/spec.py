"""What a default-branch ruleset must say, in the shape of GitHub's repository ruleset API.

``problems()`` returns one line per gap, each phrased as the change that closes it.
"""

from __future__ import annotations

from typing import Any

RULESET_FILE = ".github/rulesets/default-branch.json"

# The pull_request rule parameters the policy fixes (required_approving_review_count is ">= 1").
PULL_REQUEST_FLAGS = (
    "dismiss_stale_reviews_on_push",
    "require_code_owner_review",
    "required_review_thread_resolution",
)


def default_ruleset(contexts: list[str]) -> dict[str, Any]:
    """A ruleset that meets the policy and requires ``contexts`` (the CI jobs)."""
    return {
        "name": "default-branch",
        "target": "branch",
        "enforcement": "active",
        "bypass_actors": [],
        "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
        "rules": [
            {"type": "deletion"},
            {"type": "non_fast_forward"},
            {
                "type": "pull_request",
                "parameters": {
                    "required_approving_review_count": 1,
                    "dismiss_stale_reviews_on_push": True,
                    "require_code_owner_review": True,
                    "require_last_push_approval": False,
                    "required_review_thread_resolution": True,
                },
            },
            {
                "type": "required_status_checks",
                "parameters": {
                    "strict_required_status_checks_policy": True,
                    "required_status_checks": [{"context": c} for c in contexts],
                },
            },
        ],
    }


def rule(data: Any, rule_type: str) -> dict[str, Any] | None:
    """The rule of that type in a ruleset, or None."""
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        return None
    return next((r for r in rules if isinstance(r, dict) and r.get("type") == rule_type), None)


def parameters(data: Any, rule_type: str) -> dict[str, Any]:
    found = rule(data, rule_type)
    params = found.get("parameters") if found else None
    return params if isinstance(params, dict) else {}


def required_contexts(data: Any) -> list[str]:
    """The status-check contexts the ruleset requires, in file order."""
    checks = parameters(data, "required_status_checks").get("required_status_checks")
    if not isinstance(checks, list):
        return []
    return [
        c["context"] for c in checks if isinstance(c, dict) and isinstance(c.get("context"), str)
    ]


def problems(data: Any) -> list[str]:
    """Every way ``data`` falls short of the default-branch policy; empty when it complies."""
    if not isinstance(data, dict):
        return ["the file must hold one JSON object: a repository ruleset"]
    found: list[str] = []
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        found.append('set "name": "default-branch" (apply finds the live ruleset by name)')
    if data.get("target") != "branch":
        found.append('set "target": "branch"')
    if data.get("enforcement") != "active":
        found.append('set "enforcement": "active" ("evaluate" and "disabled" enforce nothing)')
    conditions = data.get("conditions")
    ref_name = conditions.get("ref_name") if isinstance(conditions, dict) else None
    include = ref_name.get("include") if isinstance(ref_name, dict) else None
    if not isinstance(include, list) or "~DEFAULT_BRANCH" not in include:
        found.append(
            'set "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}}'
        )
    actors = data.get("bypass_actors", [])
    if not isinstance(actors, list) or any(
        not isinstance(a, dict) or a.get("bypass_mode", "always") == "always" for a in actors
    ):
        found.append(
            'set "bypass_actors": [] (an "always" bypass lets pushes skip review and checks)'
        )
    for rule_type, why in (
        ("deletion", "the default branch cannot be deleted"),
        ("non_fast_forward", "no force pushes"),
    ):
        if rule(data, rule_type) is None:
            found.append(f'add the rule {{"type": "{rule_type}"}} to "rules" ({why})')
    found.extend(_pull_request_problems(data))
    found.extend(_status_check_problems(data))
    return found


def _pull_request_problems(data: dict[str, Any]) -> list[str]:
    if rule(data, "pull_request") is None:
        return [
            'add to "rules": {"type": "pull_request", "parameters": '
            '{"required_approving_review_count": 1, "dismiss_stale_reviews_on_push": true, '
            '"require_code_owner_review": true, "require_last_push_approval": false, '
            '"required_review_thread_resolution": true}}'
        ]
    params = parameters(data, "pull_request")
    found: list[str] = []
    count = params.get("required_approving_review_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        found.append(
            'set "required_approving_review_count": 1 (at least 1) '
            "in the pull_request rule's parameters"
        )
    found.extend(
        f'set "{flag}": true in the pull_request rule\'s parameters'
        for flag in PULL_REQUEST_FLAGS
        if params.get(flag) is not True
    )
    return found


def _status_check_problems(data: dict[str, Any]) -> list[str]:
    if rule(data, "required_status_checks") is None:
        return [
            'add to "rules": {"type": "required_status_checks", "parameters": '
            '{"strict_required_status_checks_policy": true, "required_status_checks": '
            '[{"context": "lint"}, {"context": "tests"}]}} with one context per CI job'
        ]
    params = parameters(data, "required_status_checks")
    found: list[str] = []
    if params.get("strict_required_status_checks_policy") is not True:
        found.append(
            'set "strict_required_status_checks_policy": true in the '
            "required_status_checks rule (branches must be up to date before merging)"
        )
    contexts = required_contexts(data)
    if not contexts:
        found.append('list the CI jobs in "required_status_checks": [{"context": "lint"}, ...]')
    duplicates = sorted({c for c in contexts if contexts.count(c) > 1})
    if duplicates:
        found.append(f"list each required check once: {', '.join(duplicates)} repeat")
    return found
