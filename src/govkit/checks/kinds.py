"""The kinds of problem the audit reports: one vocabulary shared by checks and the labelled corpus.

A check declares the kinds it reports (``Check.kinds``); registration refuses a name that is not
here. The corpus labels (kit_tests/fixtures/corpus/KINDS.md) use the same names, and a test
keeps the two lists equal.
"""

from __future__ import annotations

KINDS: dict[str, str] = {
    # CI and workflows
    "no-ci": "the repository has no CI configuration at all",
    "no-pr-ci": "no CI workflow runs on pull requests",
    "ci-runs-no-tests": "CI runs on pull requests but no job runs the test suite",
    "action-unpinned": "a `uses:` names an action by tag or branch, not a full commit SHA",
    "workflow-permissions": "neither the workflow nor each of its jobs sets `permissions:`",
    "untrusted-expression": "an attacker-controllable `${{ github.event.* }}` expanded in `run:`",
    "pr-target-checkout": "a pull_request_target/workflow_run workflow runs the PR's head code",
    "retired-runner": "`runs-on` names a runner image GitHub has retired",
    "eol-action": "an action version on a retired Node runtime or a deprecated artifact action",
    "secret-echo": "a secret echoed to the log or written to $GITHUB_ENV / $GITHUB_OUTPUT",
    "secret-in-run": "a `${{ secrets.* }}` expression expanded inside a `run:` script",
    "deploy-unguarded": "a deploy/publish job with no branch/tag guard nor protected environment",
    "dead-ci-config": "a CI configuration for a service or format that no longer runs",
    "no-timeout": "a job has no `timeout-minutes`",
    # Application code
    "wildcard-cors": "CORS allows any origin, directly or through a variable or setting",
    "print-in-app": "`print()` used for logging in application or library code",
    "broad-except": "a broad `except` that swallows the error in application or library code",
    "debug-enabled": "a debug mode is on in deployed code or configuration",
    "hardcoded-secret": (
        "a real-looking secret literal in source or configuration"  # pragma: allowlist secret
    ),
    "committed-env-credentials": "a committed `.env`-like file holding credentials",
    "no-migration-tool": "the code changes a database schema and there is no migration tool",
    "unparseable-file": "a Python, YAML, TOML or JSON file the audit cannot parse",
    # Tests
    "no-tests": "the repository has no automated tests at all",
    "critical-flows-untested": "the repository's own critical flows have no test",
    # Repository hygiene
    "no-codeowners": "no CODEOWNERS file in a repository a team owns",
    "readme-missing": "no README file in any format",
    "readme-no-commands": "the README shows no command to install, run or test the project",
    "readme-stale-command": "a README command names a file, module, script or session that is gone",
    "no-secret-scanning": "a repository handling credentials has no secret-scanning step",
    "no-lockfile": "an application installs its dependencies without a lock file",
    "no-dependency-updates": "no Dependabot/Renovate configuration for the ecosystems used",
    "placeholder-content": "text left as stamped or unfinished where it stands in for real work",
}
