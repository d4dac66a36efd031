"""The kit eats its own cooking: its governance files are what its template renders for it.

The template holds the Jinja sources; `template-answers/kit.yml` holds the kit's own answers.
Every file in SHARED_FILES must equal the template's rendering with those answers, byte for byte.

    python kit_tests/test_template_selfhost.py          # list the drifted files, a diff (exit 1)
    python kit_tests/test_template_selfhost.py --sync   # rewrite them from the template
    nox -s template -- --sync                           # the same, from the nox environment

Change a shared file in `template/` (the source), then `--sync`; an edit made only to the kit's
copy is a drift the test reports.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
KIT_ANSWERS = KIT_ROOT / "template-answers" / "kit.yml"

# Governance files the template stamps and the kit keeps as its own, from the same source.
SHARED_FILES: tuple[str, ...] = (
    ".github/pull_request_template.md",
    ".github/labels.yml",
    ".github/ISSUE_TEMPLATE/ticket.md",
    ".github/rulesets/default-branch.json",
    "docs/adr/0000-template.md",
    "docs/branch-protection.md",
    "CODEOWNERS",
    "policies/ownership.md",
    "policies/release-checklist.md",
    ".pre-commit-config.yaml",
    ".github/workflows/pr-contract.yml",
    ".github/workflows/drift.yml",
    ".github/dependabot.yml",
    "SECURITY.md",
)
# Stamped files the kit keeps different on purpose, and why (docs/template.md repeats this).
NOT_SHARED: dict[str, str] = {
    ".github/workflows/ci.yml": "the kit has more jobs (PostgreSQL, promtool, browsers)",
    "noxfile.py": "the kit's gates cover govkit, the reference app and the template itself",
    "README.md": "the kit's README is the kit's map; the stamped one is the project's",
    ".gitignore": "the kit ignores the reference app's folders",
    ".secrets.baseline": "each repository audits its own findings",
    "docs/adr/README.md": "each repository's decision history is its own",
    "runbooks/README.md": "an index of the repository's own runbooks",
    "CONTRIBUTING.md": "the kit's lists its extra gates (jwt_matrix, contracts, slo, template)",
    "AGENTS.md": "the kit's names its extra gates, policies and the reference app's rules",
    "runbooks/service-degraded.md": "the kit's runbooks are real (api-degraded, ml-sync-delayed)",
    "policies/migrations.md": "the kit's policy also covers archived legacy folders in depth",
    "policies/error-contract.md": "the kit's contract lists the reference app's domain codes",
    "docs/secrets.md": "the kit's also documents govkit's own plugins and their tests",
}


@contextmanager
def rendered() -> Iterator[Path]:
    """The template rendered with the kit's answers into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="govkit-selfhost-") as folder:
        source, destination = Path(folder) / "kit", Path(folder) / "govkit"
        # Only the template and its questions: renders the working tree, committed or not.
        source.mkdir()
        shutil.copy2(KIT_ROOT / "copier.yml", source / "copier.yml")
        shutil.copytree(KIT_ROOT / "template", source / "template")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "copier",
                "copy",
                "--trust",
                "--defaults",
                "--skip-tasks",
                "--quiet",
                "--data-file",
                str(KIT_ANSWERS),
                str(source),
                str(destination),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        yield destination


def drift(render: Path) -> dict[str, str]:
    """Shared file -> unified diff (kit copy vs. rendering), for every file that differs."""
    found: dict[str, str] = {}
    for rel in SHARED_FILES:
        kit_file, want_file = KIT_ROOT / rel, render / rel
        have = kit_file.read_text(encoding="utf-8") if kit_file.is_file() else ""
        want = want_file.read_text(encoding="utf-8") if want_file.is_file() else ""
        if have != want:
            found[rel] = "".join(
                difflib.unified_diff(
                    have.splitlines(keepends=True),
                    want.splitlines(keepends=True),
                    f"kit/{rel}",
                    f"rendered/{rel}",
                )
            )
    return found


def sync(render: Path) -> list[str]:
    """Rewrite every drifted shared file from the rendering; the paths rewritten."""
    changed = sorted(drift(render))
    for rel in changed:
        target = KIT_ROOT / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(render / rel, target)
    return changed


def test_shared_files_are_listed_once_and_rendered() -> None:
    assert not set(SHARED_FILES) & set(NOT_SHARED)
    with rendered() as render:
        missing = [rel for rel in (*SHARED_FILES, *NOT_SHARED) if not (render / rel).is_file()]
    assert missing == [], f"the template no longer stamps {missing}: update the lists"


def test_kit_governance_files_match_the_template() -> None:
    with rendered() as render:
        found = drift(render)
    assert found == {}, (
        f"{len(found)} governance file(s) drifted from the template "
        "(change template/, then `nox -s template -- --sync`):\n" + "\n".join(found.values())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sync", action="store_true", help="rewrite drifted files")
    args = parser.parse_args(argv)
    with rendered() as render:
        if args.sync:
            for rel in sync(render):
                sys.stdout.write(f"synced {rel}\n")
            return 0
        found = drift(render)
    for text in found.values():
        sys.stdout.write(text)
    sys.stdout.write(f"{len(found)} of {len(SHARED_FILES)} shared files drifted\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
