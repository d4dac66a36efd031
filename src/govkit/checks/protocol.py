"""The contributor and AI-agent protocol (seed's AI Execution Protocol and PR Output Contract):
AGENTS.md whose commands exist, a CONTRIBUTING.md that says how to work, labels as code, and the
ticket template."""

from __future__ import annotations

import re
import shlex
import tomllib

import yaml

from govkit.checks import _markdown
from govkit.checks.base import EVERY_REPOSITORY, Check, register
from govkit.checks.workflows import nox_calls, nox_sessions
from govkit.labels import LABELS_FILE, parse_labels
from govkit.repo import Repo

AGENTS_FILE = "AGENTS.md"
AGENTS_SECTIONS = ("Read first", "Run", "Never without an ADR", "Report evidence")
# Where GitHub shows a contributing guide from, in its order of preference.
CONTRIBUTING_FILES = ("CONTRIBUTING.md", ".github/CONTRIBUTING.md", "docs/CONTRIBUTING.md")
# What a contributor must learn there: (what is missing, how to tell it is there, the text to add).
CONTRIBUTING_NEEDS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "the local hooks (`pre-commit install`)",
        re.compile(r"pre-commit install"),
        "## Set up\n\n```bash\npython3 -m pip install nox uv pre-commit\npre-commit install"
        "    # the secrets, conflict and workflow hooks\n```",
    ),
    (
        "the gates to run before pushing (a `nox` command)",
        re.compile(r"`nox(?: [^`]*)?`|^\s*(?:uvx? )?nox\b", re.M),
        "## Before you push\n\nRun the gate CI runs: `nox` (`nox -l` lists the sessions).",
    ),
    (
        "how pull requests work (a '## Pull requests' section)",
        re.compile(r"^#{1,6}\s+.*pull requests?", re.M | re.I),
        "## Pull requests\n\nOne ticket per pull request; fill in the template (scope, validation "
        "with the exact commands, risk, rollback); the default branch requires the CI checks "
        "and a code-owner approval.",
    ),
)
TICKET_TEMPLATE = ".github/ISSUE_TEMPLATE/ticket.md"
# The seed's tracking template plus the kanban card's fields; `govkit audit --backlog` writes them.
TICKET_FIELDS = (
    "Ticket",
    "Owner",
    "Status",
    "Risk",
    "PR",
    "Notes",
    "Goal",
    "Files expected",
    "Done when",
)
_CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)


def _commands(text: str) -> list[str]:
    """Command lines quoted in Markdown: fenced blocks line by line, and inline code spans."""
    found: list[str] = []
    for block, span in _CODE.findall(text):
        found.extend(line.strip() for line in (block or span).splitlines() if line.strip())
    return found


def _govkit_subcommands() -> set[str]:
    from govkit.cli import subcommands  # the CLI imports the checks; import it lazily

    return set(subcommands())


def _project_scripts(repo: Repo) -> set[str]:
    scripts: set[str] = set()
    for rel in repo.files:
        if rel.rsplit("/", 1)[-1] != "pyproject.toml":
            continue
        try:
            data = tomllib.loads(repo.text(rel) or "")
        except tomllib.TOMLDecodeError:
            continue
        scripts.update(data.get("project", {}).get("scripts", {}))
    return scripts


def agents_files(repo: Repo) -> list[str]:
    return [
        f
        for f in repo.files
        if f.rsplit("/", 1)[-1] == AGENTS_FILE
        and not f.startswith(("template/", "tests/fixtures/", "kit_tests/fixtures/"))
    ]


class ProtocolCheck(Check):
    """The kit's contributor and agent protocol: adoption, not health."""

    family = "docs"
    severity = "P2"
    ticket = "T15"
    scope = "adoption"
    kinds = frozenset()
    applies = EVERY_REPOSITORY


@register
class AGT101(ProtocolCheck):
    """AGENTS.md states the execution protocol: what to read, what to run, what needs an ADR"""

    effort = "S"
    files_expected = (AGENTS_FILE,)

    def check(self, repo: Repo) -> str | None:
        text = repo.text(AGENTS_FILE)
        headings = "\n".join(f"## {s}" for s in AGENTS_SECTIONS)
        if text is None:
            return f"Create {AGENTS_FILE} with these sections:\n{headings}"
        missing = _markdown.missing(text, AGENTS_SECTIONS)
        if missing:
            return f"Add to {AGENTS_FILE}:\n" + "\n".join(f"## {s}" for s in missing)
        return None


@register
class AGT102(ProtocolCheck):
    """Every nox session and command that an AGENTS.md names exists"""

    effort = "S"
    requires = frozenset({"AGT101"})
    files_expected = (AGENTS_FILE, "noxfile.py")

    def check(self, repo: Repo) -> str | None:
        noxfile = repo.text("noxfile.py")
        sessions = set(nox_sessions(noxfile)) if noxfile else set()
        scripts = _project_scripts(repo)
        govkit = _govkit_subcommands()
        wrong: list[str] = []
        for rel in agents_files(repo):
            for line in _commands(repo.text(rel) or ""):
                wrong += [
                    f"{rel}: `nox -s {name}` is not a session in noxfile.py "
                    f"(sessions: {', '.join(sorted(sessions)) or 'none'})"
                    for name in nox_calls(line)
                    # `tests-3.11` and `tests(python='3.11')` run `tests`; `pr-contract` is a name
                    if name not in sessions and name.split("(")[0].split("-")[0] not in sessions
                ]
                try:
                    words = shlex.split(line, comments=True)
                except ValueError:
                    continue
                if words[:2] == ["uv", "run"]:
                    words = words[2:]
                if (
                    len(words) >= 2
                    and words[0] == "govkit"
                    and not words[1].startswith("-")
                    and words[1] not in govkit
                ):
                    wrong.append(
                        f"{rel}: `govkit {words[1]}` is not a govkit command "
                        f"(commands: {', '.join(sorted(govkit))})"
                    )
                if (
                    words
                    and "-" in words[0]
                    and words[0] not in scripts | {"pre-commit"}
                    and words[0].endswith("-service")
                ):
                    wrong.append(f"{rel}: `{words[0]}` is not a [project.scripts] entry")
        if not wrong:
            return None
        return "\n".join(
            [
                *wrong,
                "Name only commands that exist: check with `nox -l` and "
                "`govkit --help`, or add the session/command first.",
            ]
        )


@register
class CTB101(ProtocolCheck):
    """CONTRIBUTING.md says how to set up the hooks, which gates to run, how pull requests work"""

    effort = "S"
    files_expected = (CONTRIBUTING_FILES[0],)

    def check(self, repo: Repo) -> str | None:
        found = next((f for f in CONTRIBUTING_FILES if repo.exists(f)), None)
        if found is None:
            return f"Create {CONTRIBUTING_FILES[0]}:\n" + "\n\n".join(
                text for _, _, text in CONTRIBUTING_NEEDS
            )
        text = repo.text(found) or ""
        missing = [
            (what, add) for what, pattern, add in CONTRIBUTING_NEEDS if not pattern.search(text)
        ]
        if not missing:
            return None
        return "\n".join(
            [
                f"{found} does not say " + "; nor ".join(w for w, _ in missing) + ".",
                "Merge in (the kit's stamped CONTRIBUTING.md has each):",
                "\n\n".join(add for _, add in missing),
            ]
        )


@register
class LBL101(ProtocolCheck):
    """Labels are code: .github/labels.yml defines area, priority, effort and source labels"""

    effort = "S"
    files_expected = (LABELS_FILE,)

    def check(self, repo: Repo) -> str | None:
        try:
            data = repo.yaml(LABELS_FILE)
        except yaml.YAMLError as error:
            return f"{LABELS_FILE} is not valid YAML: {str(error).splitlines()[0]}"
        if data is None:
            return (
                f'Create {LABELS_FILE}:\nlabels:\n  - name: "priority:P0"\n'
                '    color: "b60205"\n    description: "Security and production safety"'
            )
        _, problems = parse_labels(data)
        if not problems:
            return None
        return "\n".join([f"{LABELS_FILE}: {p}" for p in problems])


@register
class ISS101(ProtocolCheck):
    """The ticket template carries the tracking fields the backlog and PRs refer to"""

    effort = "S"
    files_expected = (TICKET_TEMPLATE,)

    def check(self, repo: Repo) -> str | None:
        text = repo.text(TICKET_TEMPLATE)
        if text is None:
            return (
                f"Create {TICKET_TEMPLATE} (front matter name/about/labels) with a line per "
                "field: " + ", ".join(f"`{f}:`" for f in TICKET_FIELDS)
            )
        if not text.startswith("---"):
            return (
                f"Start {TICKET_TEMPLATE} with GitHub's front matter:\n---\nname: Ticket\n"
                "about: One ticket of the backlog\nlabels: []\n---"
            )
        missing = [
            f for f in TICKET_FIELDS if not re.search(rf"^\W*{re.escape(f)}\s*:", text, re.M | re.I)
        ]
        if missing:
            return f"Add these fields to {TICKET_TEMPLATE}: " + ", ".join(
                f"`{f}:`" for f in missing
            )
        return None
