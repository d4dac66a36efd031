"""Keep the kit's two hand-free copies in step with their one source each.

1. The service skeleton's core: ``template/.../{{ package_name }}/core/*.py.jinja`` is GENERATED
   from the reference app's ``reference_app/src/pricing_service/core/*.py`` (the package name
   and the slug become Jinja variables; the few lines that differ per service are listed in
   ``CORE_OVERRIDES``). A fix in the reference core reaches every stamped service through
   ``copier update`` (copier.yml keeps ``src/<package>/core/`` current, never the team's own
   files).
2. The kit's own governance files (``KIT_FILES``) are what the template renders with the kit's
   answers (``template-answers/kit.yml``).

    python tools/template_sync.py            # check: list what drifted with a diff, exit 1
    python tools/template_sync.py --write    # rewrite every drifted copy from its source
    nox -s template_sync                     # --write, from the nox environment

The ``template`` gate runs the check (kit_tests/test_template_sync.py): edit the source, never the
copy, then ``nox -s template_sync``.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE_SOURCE = Path("reference_app/src/pricing_service/core")
SERVICE_PACKAGE = Path("template/{% if kind == 'service' %}src{% endif %}/{{ package_name }}")
CORE_TARGET = SERVICE_PACKAGE / "core"
KIT_ANSWERS = Path("template-answers/kit.yml")

# The reference app's names, as the template spells them for any service.
CORE_NAMES = {"pricing_service": "{{ package_name }}", "pricing-service": "{{ slug }}"}
# The lines of the core that say which service it is: source text -> the template's text.
# Each must occur exactly once in its file, so a change to it is a failure here, not a
# silently stale template.
CORE_OVERRIDES: Mapping[str, Mapping[str, str]] = {
    "errors.py": {
        'PROBLEM_TYPE_BASE = "https://pricing-service.dev/problems/"': (
            "# Each type URI points into the error contract, which lists every code.\n"
            'REPOSITORY_URL = "https://github.com/{{ github_owner }}/{{ github_repo }}"\n'
            'PROBLEM_TYPE_BASE = f"{REPOSITORY_URL}/blob/{{ default_branch }}'
            '/policies/error-contract.md#"'
        ),
        '"detail": "product 42 does not exist",': '"detail": "item 42 does not exist",',
        '"instance": "/api/products/42",': '"instance": "/api/items/42",',
    },
}
_JINJA_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")

# Governance files the template stamps and the kit keeps as its own, from the same source.
KIT_FILES: tuple[str, ...] = (
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


class SyncError(Exception):
    """The source cannot be turned into its copy; the message says what to change."""


@dataclass(frozen=True)
class Drift:
    path: str  # the copy, relative to the root
    diff: str  # unified diff: the copy as it is -> as its source makes it


def _jinja_text(text: str) -> str:
    """TEXT as a Jinja template that renders to itself (raw blocks around Jinja's markers)."""
    if not any(marker in text for marker in _JINJA_MARKERS):
        return text
    return "{% raw %}" + text + "{% endraw %}"


def core_template(name: str, source: str) -> str:
    """The template's ``core/NAME.jinja`` for the reference core module NAME with SOURCE."""
    overridden: dict[str, str] = {}
    for index, (line, replacement) in enumerate(CORE_OVERRIDES.get(name, {}).items()):
        count = source.count(line)
        if count != 1:
            raise SyncError(
                f"{CORE_SOURCE / name}: CORE_OVERRIDES expects {line!r} once, found it "
                f"{count} times: update tools/template_sync.py with the new line"
            )
        key = f"\0override{index}\0"
        source = source.replace(line, key)
        overridden[key] = replacement
    text = _jinja_text(source)
    for reference, variable in CORE_NAMES.items():
        rendered = (
            variable
            if not text.startswith("{% raw %}")
            else ("{% endraw %}" + variable + "{% raw %}")
        )
        text = text.replace(reference, rendered)
    for key, replacement in overridden.items():
        if text.startswith("{% raw %}"):
            replacement = "{% endraw %}" + replacement + "{% raw %}"
        text = text.replace(key, replacement)
    return text


def core_copies(root: Path) -> dict[str, str]:
    """Template path (relative to ROOT) -> the text the reference core makes it."""
    source = root / CORE_SOURCE
    if not source.is_dir():
        raise SyncError(f"{CORE_SOURCE} is missing: the template's core is generated from it")
    return {
        (CORE_TARGET / f"{path.name}.jinja").as_posix(): core_template(
            path.name, path.read_text(encoding="utf-8")
        )
        for path in sorted(source.glob("*.py"))
    }


def _diff(path: str, have: str | None, want: str | None) -> str:
    return "".join(
        difflib.unified_diff(
            (have or "").splitlines(keepends=True),
            (want or "").splitlines(keepends=True),
            f"{path} (as it is)" if have is not None else "/dev/null",
            f"{path} (from its source)" if want is not None else "/dev/null",
        )
    )


def core_drift(root: Path) -> list[Drift]:
    """Every template core file that differs from (or is missing, or has no) its source."""
    wanted = core_copies(root)
    present = {
        path.relative_to(root).as_posix()
        for path in (root / CORE_TARGET).glob("*")
        if path.is_file()
    }
    found = []
    for path in sorted(set(wanted) | present):
        target = root / path
        have = target.read_text(encoding="utf-8") if target.is_file() else None
        want = wanted.get(path)
        if have != want:
            found.append(Drift(path, _diff(path, have, want)))
    return found


def write_core(root: Path) -> list[str]:
    """Rewrite the template's core from the reference core; the paths written or removed."""
    changed = core_drift(root)
    wanted = core_copies(root)
    for drift in changed:
        target = root / drift.path
        if drift.path in wanted:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(wanted[drift.path], encoding="utf-8")
        else:
            target.unlink()
    return [drift.path for drift in changed]


@contextmanager
def rendered(root: Path) -> Iterator[Path]:
    """The template rendered with the kit's answers into a temporary folder (needs copier)."""
    for rel in ("copier.yml", "template", KIT_ANSWERS):
        if not (root / rel).exists():
            raise SyncError(f"{rel} is missing under {root}: nothing to render the template from")
    with tempfile.TemporaryDirectory(prefix="govkit-template-sync-") as folder:
        source, destination = Path(folder) / "kit", Path(folder) / "govkit"
        # Only the template and its questions: renders the working tree, committed or not.
        source.mkdir()
        shutil.copy2(root / "copier.yml", source / "copier.yml")
        shutil.copytree(root / "template", source / "template")
        copier = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--skip-tasks"]
        done = subprocess.run(
            [*copier, "--quiet", "--data-file", str(root / KIT_ANSWERS), str(source), destination],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
            raise SyncError(f"copier could not render the template: {lines[-1]}")
        yield destination


def kit_drift(root: Path, render: Path) -> list[Drift]:
    """Every kit governance file that differs from the template's rendering."""
    found = []
    for rel in KIT_FILES:
        kit_file, want_file = root / rel, render / rel
        have = kit_file.read_text(encoding="utf-8") if kit_file.is_file() else None
        want = want_file.read_text(encoding="utf-8") if want_file.is_file() else None
        if have != want:
            found.append(Drift(rel, _diff(rel, have, want)))
    return found


def write_kit(root: Path, render: Path) -> list[str]:
    changed = kit_drift(root, render)
    for drift in changed:
        target = root / drift.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(render / drift.path, target)
    return [drift.path for drift in changed]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="rewrite every drifted copy")
    parser.add_argument("--root", type=Path, default=ROOT, help="the kit's root (default: here)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    try:
        if args.write:
            with rendered(root) as render:
                written = write_core(root) + write_kit(root, render)
            for path in written:
                sys.stdout.write(f"template_sync: wrote {path}\n")
            return 0
        with rendered(root) as render:
            found = core_drift(root) + kit_drift(root, render)
    except SyncError as error:
        sys.stderr.write(f"template_sync: {error}\n")
        return 2
    for drift in found:
        sys.stdout.write(drift.diff)
    for drift in found:
        sys.stdout.write(f"template_sync: {drift.path} differs from its source\n")
    if found:
        sys.stdout.write("template_sync: edit the source, then `nox -s template_sync`\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
