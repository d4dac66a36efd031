"""Branch protection as code: the repository ruleset file, its rules, and a GitHub REST client."""

from govkit.github import GitHubError, github_http_client
from govkit.rulesets.client import RulesetsClient
from govkit.rulesets.diff import differences
from govkit.rulesets.spec import RULESET_FILE, problems, required_contexts

__all__ = [
    "RULESET_FILE",
    "GitHubError",
    "RulesetsClient",
    "differences",
    "github_http_client",
    "problems",
    "required_contexts",
]
