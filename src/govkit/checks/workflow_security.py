"""Workflow hygiene that needs no pull-request CI to be examined: retired runners, end-of-life
actions, secrets leaked into logs, scripts or `$GITHUB_ENV`, and unguarded deploy jobs.

Each analyzer reads the workflows parsed once by :func:`govkit.checks.workflows.workflows` and
returns findings at the file and line of the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from govkit.checks.base import Finding, register
from govkit.checks.workflows import Workflow, WorkflowCheck, all_jobs
from govkit.repo import Repo

# Runner images GitHub has retired, and what to use instead.
RETIRED_RUNNERS = {
    "ubuntu-18.04": "ubuntu-24.04",
    "ubuntu-20.04": "ubuntu-24.04",
    "windows-2019": "windows-2025",
    "macos-11": "macos-15",
    "macos-12": "macos-15",
    "macos-13": "macos-15",
}
# action -> (the last major that runs on a retired runtime, the runtime, the current major).
EOL_ACTIONS = {
    "actions/checkout": (3, "Node 16", "v4"),
    "actions/setup-python": (4, "Node 16", "v5"),
    "actions/setup-node": (3, "Node 16", "v4"),
    "actions/cache": (3, "Node 16", "v4"),
    "actions/github-script": (6, "Node 16", "v7"),
    "actions/upload-artifact": (3, "the retired artifact service", "v4"),
    "actions/download-artifact": (3, "the retired artifact service", "v4"),
}
_VERSION = re.compile(r"^v?(\d+)(?:\.\d+)*$")
_VERSION_COMMENT = re.compile(r"#\s*v?(\d+)(?:\.\d+)*\b")
_SECRET = re.compile(r"\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}")
_ANY_SECRET = re.compile(r"\bsecrets\.([A-Za-z0-9_]+)|\bsecrets\[\s*'([^']+)'\s*\]")
_ECHO = re.compile(r"^\s*(?:echo|printf)\b")
_TO_FILE = re.compile(r">>?\s*\"?\$\{?(GITHUB_ENV|GITHUB_OUTPUT)\b")
_DEPLOY_NAME = re.compile(r"deploy|publish", re.I)
_DEPLOY_USES = re.compile(
    r"^(?:pypa/gh-action-pypi-publish|peaceiris/actions-gh-pages|actions/deploy-pages|"
    r"akhileshns/heroku-deploy|aws-actions/amazon-ecs-deploy-task-definition|"
    r"azure/webapps-deploy|google-github-actions/deploy-|superfly/flyctl-actions|"
    r"amondnet/vercel-action|cloudflare/wrangler-action|JamesIves/github-pages-deploy-action)",
    re.I,
)
_DEPLOY_RUN = re.compile(
    r"\b(?:twine upload|uv publish|poetry publish|flit publish|hatch publish|pdm publish|"
    r"npm publish|pnpm publish|yarn publish|heroku container:release|git push heroku|"
    r"kubectl (?:apply|rollout)|helm (?:upgrade|install)|flyctl deploy|fly deploy|"
    r"vercel (?:deploy|--prod)|netlify deploy|serverless deploy|sls deploy|gh-deploy|"
    r"docker stack deploy|gh release create|cargo publish)",
    re.I,
)
_REF_GUARD = re.compile(
    r"github\.ref\b|github\.ref_name|github\.ref_type|github\.base_ref|refs/(?:heads|tags)/|"
    r"github\.event_name\s*==\s*'release'|github\.event\.release",
    re.I,
)
# Events that cannot start a deploy from an arbitrary branch's code on demand: releases, the
# default branch's schedule, a caller's decision, pull requests (no secrets from forks), the
# default branch's copy of a workflow_run workflow, merge queues.
_GUARDED_EVENTS = frozenset(
    {"release", "schedule", "workflow_call", "pull_request", "merge_group", "workflow_run"}
)


def _jobs(repo: Repo) -> Iterator[tuple[Workflow, str, dict[str, Any]]]:
    yield from all_jobs(repo)


# -- retired runners ---------------------------------------------------------------------------


def retired_runners(repo: Repo) -> list[Finding]:
    """`runs-on` (or the matrix it reads) naming a runner image GitHub has retired."""
    found: list[Finding] = []
    for flow, job_id, job in _jobs(repo):
        runs_on = job.get("runs-on")
        labels = runs_on if isinstance(runs_on, list) else [runs_on]
        for index, label in enumerate(labels):
            if isinstance(label, str) and label.strip() in RETIRED_RUNNERS:
                keys: tuple[str | int, ...] = ("jobs", job_id, "runs-on")
                line = flow.line(*keys, index) if isinstance(runs_on, list) else flow.line(*keys)
                found.append(_runner(flow, job_id, label.strip(), line))
        strategy = job.get("strategy")
        matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
        if not isinstance(matrix, dict) or "matrix." not in str(runs_on):
            continue
        for key, values in matrix.items():
            entries = values if isinstance(values, list) else []
            for index, entry in enumerate(entries):
                if key == "include" and isinstance(entry, dict):
                    for name, value in entry.items():
                        if isinstance(value, str) and value in RETIRED_RUNNERS:
                            line = flow.line("jobs", job_id, "strategy", "matrix", key, index, name)
                            found.append(_runner(flow, job_id, value, line))
                elif isinstance(entry, str) and entry in RETIRED_RUNNERS:
                    line = flow.line("jobs", job_id, "strategy", "matrix", key, index)
                    found.append(_runner(flow, job_id, entry, line))
    return found


def _runner(flow: Workflow, job_id: str, label: str, line: int | None) -> Finding:
    return Finding(
        f"jobs.{job_id} runs on `{label}`, a runner image GitHub has retired: its jobs wait for "
        f"a runner that never comes. Use `{RETIRED_RUNNERS[label]}`.",
        flow.path,
        line,
    )


# -- end-of-life actions -----------------------------------------------------------------------


def eol_actions(repo: Repo) -> list[Finding]:
    """Steps using an action major version that runs on a retired runtime or service."""
    found: list[Finding] = []
    for flow, job_id, job in _jobs(repo):
        lines = (repo.text(flow.path) or "").splitlines()
        for index, step in enumerate(flow.steps(job)):
            uses = step.get("uses")
            if not isinstance(uses, str) or "@" not in uses:
                continue
            action, _, ref = uses.partition("@")
            action = action.strip().lower()
            if action not in EOL_ACTIONS:
                continue
            line = flow.line("jobs", job_id, "steps", index, "uses")
            major = _major(ref.strip(), lines[line - 1] if line and line <= len(lines) else "")
            last, runtime, current = EOL_ACTIONS[action]
            if major is not None and major <= last:
                found.append(
                    Finding(
                        f"jobs.{job_id}.steps[{index}] uses `{uses}`: v{major} runs on "
                        f"{runtime}, which GitHub no longer supports. Move to `{action}@"
                        f"{current}` (pinned to its commit SHA, the tag in a comment).",
                        flow.path,
                        line,
                    )
                )
    return found


def _major(ref: str, source_line: str) -> int | None:
    match = _VERSION.match(ref)
    if match:
        return int(match[1])
    comment = _VERSION_COMMENT.search(source_line.partition(ref)[2] if ref else source_line)
    return int(comment[1]) if comment else None


# -- secrets in scripts ------------------------------------------------------------------------


def _step_env(flow: Workflow, job: dict[str, Any], step: dict[str, Any]) -> dict[str, str]:
    """Environment variables of a step that hold a secret: name -> secret name."""
    held: dict[str, str] = {}
    for env in (flow.doc.get("env"), job.get("env"), step.get("env")):
        if isinstance(env, dict):
            for name, value in env.items():
                match = _ANY_SECRET.search(str(value))
                if match and match[1] != "GITHUB_TOKEN":
                    held[str(name)] = match[1] or match[2]
    return held


def _runs(repo: Repo) -> Iterator[tuple[Workflow, str, dict[str, Any], int, dict[str, Any], str]]:
    for flow, job_id, job in _jobs(repo):
        for index, step in enumerate(flow.steps(job)):
            run = step.get("run")
            if isinstance(run, str):
                yield flow, job_id, job, index, step, run


def secrets_echoed(repo: Repo) -> list[Finding]:
    """A secret printed to the log, or written to `$GITHUB_ENV` / `$GITHUB_OUTPUT`."""
    found: list[Finding] = []
    for flow, job_id, job, index, step, run in _runs(repo):
        env = _step_env(flow, job, step)
        for offset, text in enumerate(run.splitlines()):
            if "::add-mask::" in text:
                continue
            secret = _SECRET.search(text)
            name = secret[1] if secret else None
            if name is None:
                name = next(
                    (s for var, s in env.items() if re.search(rf"\$\{{?{var}\b", text)), None
                )
            if name is None:
                continue
            target = _TO_FILE.search(text)
            command = text.split("#")[0].replace("||", "")
            # piped to a command (`| docker login --password-stdin`) or redirected to a file
            elsewhere = "|" in command or ">" in command
            if target is None and (not _ECHO.match(text) or elsewhere):
                continue
            where = f"jobs.{job_id}.steps[{index}].run"
            if target is not None:
                message = (
                    f"{where} writes secrets.{name} to ${target[1]}: every later step gets it, "
                    "and a step output lands in the run's logs and in dependent jobs. Give the "
                    "secret to the steps that need it through `env:` instead:\n"
                    f"    env:\n      {name}: ${{{{ secrets.{name} }}}}"
                )
            else:
                message = (
                    f"{where} echoes secrets.{name} to the log. Masking is best-effort (a "
                    "transformed or multi-line value is printed in clear): never print a "
                    "secret; pipe it to the command that needs it (`--password-stdin`)."
                )
            found.append(
                Finding(
                    message,
                    flow.path,
                    flow.text_line("jobs", job_id, "steps", index, "run", offset=offset),
                )
            )
    return found


def secrets_in_run(repo: Repo) -> list[Finding]:
    """A `${{ secrets.* }}` expression pasted into the text of a `run:` script."""
    found: list[Finding] = []
    for flow, job_id, _, index, _, run in _runs(repo):
        for offset, text in enumerate(run.splitlines()):
            for name in _SECRET.findall(text):
                variable = name.upper()
                found.append(
                    Finding(
                        f"jobs.{job_id}.steps[{index}].run expands `${{{{ secrets.{name} }}}}` "
                        "into the script text: it becomes part of the command line (visible to "
                        "other processes) and breaks the script if it holds a quote. Pass it "
                        "through the step's environment and use the variable:\n"
                        f"    env:\n      {variable}: ${{{{ secrets.{name} }}}}\n"
                        f'    run: ... "${variable}"',
                        flow.path,
                        flow.text_line("jobs", job_id, "steps", index, "run", offset=offset),
                    )
                )
    return found


# -- unguarded deploy jobs ---------------------------------------------------------------------


def _is_deploy(job_id: str, job: dict[str, Any], flow: Workflow) -> bool:
    if _DEPLOY_NAME.search(job_id) or _DEPLOY_NAME.search(str(job.get("name", ""))):
        return True
    for step in flow.steps(job):
        uses, run = step.get("uses"), step.get("run")
        if isinstance(uses, str) and _DEPLOY_USES.match(uses):
            return True
        if isinstance(run, str) and _DEPLOY_RUN.search(run):
            return True
    return False


def _unguarded_events(flow: Workflow) -> list[str]:
    """Triggers that start the workflow from any branch."""
    on = flow.doc.get("on", flow.doc.get(True))
    events: dict[str, Any] = (
        {on: None}
        if isinstance(on, str)
        else dict.fromkeys(on)
        if isinstance(on, list)
        else {str(k): v for k, v in on.items()}
        if isinstance(on, dict)
        else {}
    )
    loose = []
    for event, config in events.items():
        if event in _GUARDED_EVENTS or event.startswith("pull_request"):
            continue
        if (
            event == "push"
            and isinstance(config, dict)
            and (config.get("branches") or config.get("tags"))
            and not (config.get("branches") and "**" in str(config.get("branches")))
        ):
            continue
        loose.append(event)
    return loose


def deploy_jobs(repo: Repo) -> list[dict[str, Any]]:
    """Every job of the repository's workflows that deploys or publishes."""
    return [job for flow, job_id, job in _jobs(repo) if _is_deploy(job_id, job, flow)]


def unguarded_deploys(repo: Repo) -> list[Finding]:
    """Deploy or publish jobs any branch can start, with no protected environment."""
    found: list[Finding] = []
    for flow, job_id, job in _jobs(repo):
        if not _is_deploy(job_id, job, flow) or job.get("environment"):
            continue
        condition = job.get("if", "")
        if condition is False or str(condition).strip() in ("false", "${{ false }}"):
            continue  # disabled
        if _REF_GUARD.search(str(condition)):
            continue
        loose = _unguarded_events(flow)
        if not loose:
            continue
        found.append(
            Finding(
                f"jobs.{job_id} deploys or publishes, and `{'`, `'.join(loose)}` starts it from "
                "any branch, with no protected environment to stop it. Restrict it to the "
                "release branch or tags, and run it in an environment with required reviewers "
                "or a branch policy:\n"
                f"  {job_id}:\n    if: github.ref == 'refs/heads/main'\n"
                "    environment: production",
                flow.path,
                flow.line("jobs", job_id),
            )
        )
    return found


def workflow_findings(repo: Repo) -> dict[str, list[Finding]]:
    """Every analyzer of this module by the kind it reports."""
    return {
        "retired-runner": retired_runners(repo),
        "eol-action": eol_actions(repo),
        "secret-echo": secrets_echoed(repo),
        "secret-in-run": secrets_in_run(repo),
        "deploy-unguarded": unguarded_deploys(repo),
    }


# These examine whatever workflows exist (WorkflowCheck: skipped without GitHub Actions); none
# `requires` GH100, so a push-only workflow is examined as closely as a pull-request one.


@register
class GH111(WorkflowCheck):
    """No job runs on a runner image GitHub has retired"""

    scope = "health"
    kinds = frozenset({"retired-runner"})
    family = "ci"
    severity = "P1"
    ticket = "T01"

    def check(self, repo: Repo) -> list[Finding]:
        return retired_runners(repo)


@register
class GH112(WorkflowCheck):
    """No action runs on a retired Node runtime or the retired artifact service"""

    scope = "health"
    kinds = frozenset({"eol-action"})
    family = "ci"
    severity = "P1"
    ticket = "T01"

    def check(self, repo: Repo) -> list[Finding]:
        return eol_actions(repo)


@register
class GH113(WorkflowCheck):
    """No secret is echoed to the log or written to $GITHUB_ENV / $GITHUB_OUTPUT"""

    scope = "health"
    kinds = frozenset({"secret-echo"})
    family = "security"
    severity = "P0"
    ticket = "T16"

    def check(self, repo: Repo) -> list[Finding]:
        return secrets_echoed(repo)


@register
class GH114(WorkflowCheck):
    """Secrets reach `run:` scripts through `env:`, never as `${{ secrets.* }}` in the text"""

    scope = "health"
    kinds = frozenset({"secret-in-run"})
    family = "security"
    severity = "P1"
    ticket = "T16"

    def check(self, repo: Repo) -> list[Finding]:
        return secrets_in_run(repo)


@register
class GH115(WorkflowCheck):
    """Deploy and publish jobs run only from a protected branch, tag or environment"""

    scope = "health"
    kinds = frozenset({"deploy-unguarded"})
    family = "security"
    severity = "P1"
    ticket = "T17"

    def check(self, repo: Repo) -> list[Finding]:
        return unguarded_deploys(repo)
