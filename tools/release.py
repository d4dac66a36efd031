"""Release the kit: check the changelog and the tags, or cut release X.Y.Z.

    python tools/release.py            # check only: tags, CHANGELOG.md, changelog.d/ fragments
    python tools/release.py 1.3.0      # check, then CHANGELOG.md + commit + annotated tag v1.3.0
    nox -s release [-- 1.3.0]          # the same, with towncrier from uv.lock

Every way the repository falls short is one line on stderr and exit 1; nothing is written before
every check has passed. Tags are created locally and never pushed: `git push origin HEAD vX.Y.Z`
publishes the release (docs/releasing.md).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHANGELOG = "CHANGELOG.md"
FRAGMENTS = "changelog.d"
START = "<!-- towncrier release notes start -->"
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$", re.M)
_FRAGMENT_TYPES = ("added", "changed", "deprecated", "removed", "fixed", "security")
_FRAGMENT_NAME = re.compile(rf"^\+?[\w-]+\.(?:{'|'.join(_FRAGMENT_TYPES)})(?:\.\d+)?\.md$")


class ReleaseError(Exception):
    """The repository is not ready: every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def version_key(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReleaseError([f"`git {' '.join(args)}` failed: {result.stderr.strip()}"])
    return result.stdout


def release_tags(root: Path) -> tuple[dict[str, str], list[str]]:
    """Version -> tag object type for every `v*` tag, and the problems with them."""
    lines = git(root, "for-each-ref", "--format=%(refname:short) %(objecttype)", "refs/tags/v*")
    tags: dict[str, str] = {}
    problems: list[str] = []
    for line in lines.splitlines():
        name, kind = line.rsplit(" ", 1)
        version = name.removeprefix("v")
        if version_key(version) is None:
            problems.append(f"tag {name} is not vMAJOR.MINOR.PATCH (Copier and pip sort by it)")
        elif kind != "tag":
            problems.append(
                f"tag {name} is a lightweight tag: recreate it annotated "
                f"(`git tag -a -f {name} {name}^{{}} -m 'govkit {version}'`)"
            )
        tags[version] = kind
    return tags, problems


def changelog_versions(root: Path) -> tuple[list[str], list[str]]:
    """The versions CHANGELOG.md has a section for, newest first, and its problems."""
    path = root / CHANGELOG
    if not path.is_file():
        return [], [f"{CHANGELOG} is missing: create it with the line `{START}`"]
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []
    if START not in text:
        problems.append(f"{CHANGELOG} lacks the line `{START}` (towncrier writes below it)")
    versions = [m["version"] for m in _HEADING.finditer(text)]
    for version in versions:
        if version_key(version) is None:
            problems.append(f"{CHANGELOG}: section [{version}] is not MAJOR.MINOR.PATCH")
    keys = [version_key(v) for v in versions]
    ordered = [k for k in keys if k is not None]
    if ordered != sorted(ordered, reverse=True):
        problems.append(f"{CHANGELOG}: sections are not newest first")
    duplicates = sorted({v for v in versions if versions.count(v) > 1})
    problems += [f"{CHANGELOG}: [{v}] has two sections" for v in duplicates]
    return versions, problems


def fragments(root: Path) -> tuple[list[Path], list[str]]:
    folder = root / FRAGMENTS
    found: list[Path] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.name in {"README.md", ".gitignore"}:
            continue
        if not _FRAGMENT_NAME.match(path.name):
            problems.append(
                f"{FRAGMENTS}/{path.name}: name it <issue>.<type>.md (or <issue>.<type>.<n>.md "
                f"for a second one) with type one of {', '.join(_FRAGMENT_TYPES)}"
            )
        elif not path.read_text(encoding="utf-8").strip():
            problems.append(f"{FRAGMENTS}/{path.name} is empty: say what changed for users")
        else:
            found.append(path)
    return found, problems


def check(root: Path) -> tuple[dict[str, str], list[Path]]:
    """Tags, changelog and fragments agree; raises with every problem otherwise."""
    tags, problems = release_tags(root)
    versions, changelog_problems = changelog_versions(root)
    found, fragment_problems = fragments(root)
    problems += changelog_problems + fragment_problems
    released = {v for v in tags if version_key(v) is not None}
    problems += [
        f"tag v{v} has no section in {CHANGELOG} (a release whose notes were lost)"
        for v in sorted(released - set(versions), key=lambda v: version_key(v) or (0, 0, 0))
    ]
    problems += [
        f"{CHANGELOG} has a section [{v}] but there is no tag v{v}"
        for v in versions
        if v not in released and version_key(v) is not None
    ]
    if problems:
        raise ReleaseError(problems)
    return tags, found


def latest(tags: dict[str, str]) -> str | None:
    keyed = [(key, v) for v in tags if (key := version_key(v)) is not None]
    return max(keyed)[1] if keyed else None


def cut(root: Path, version: str) -> str:
    """Check, then write the changelog, commit and tag vVERSION; the tag's name."""
    problems: list[str] = []
    key = version_key(version)
    if key is None:
        raise ReleaseError([f"the version must be MAJOR.MINOR.PATCH (e.g. 1.3.0), not {version!r}"])
    try:
        tags, found = check(root)
    except ReleaseError as error:
        problems += error.problems
        tags, found = {}, []
    previous = latest(tags)
    if version in tags:
        problems.append(f"v{version} is already released")
    elif previous is not None and key <= (version_key(previous) or (0, 0, 0)):
        problems.append(f"{version} is not newer than the latest release v{previous}")
    if not found and not problems:
        problems.append(
            f"nothing to release: {FRAGMENTS}/ has no fragments (add one per change, "
            f"see {FRAGMENTS}/README.md)"
        )
    dirty = git(root, "status", "--porcelain", "--untracked-files=no").strip()
    if dirty:
        problems.append("the work tree has uncommitted changes: commit or stash them first")
    if problems:
        raise ReleaseError(problems)
    towncrier = shutil.which("towncrier")
    if towncrier is None:
        raise ReleaseError(["towncrier is not installed: run `nox -s release -- VERSION`"])
    subprocess.run(
        [towncrier, "build", "--yes", "--version", version],
        cwd=root,
        check=True,
        capture_output=True,
    )
    git(root, "add", "-A", CHANGELOG, FRAGMENTS)
    git(root, "commit", "-q", "-m", f"Release {version}")
    tag = f"v{version}"
    git(root, "tag", "-a", tag, "-m", f"govkit {version}")
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("version", nargs="?", help="cut this release (MAJOR.MINOR.PATCH)")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    try:
        if args.version:
            tag = cut(args.root, args.version)
            sys.stdout.write(
                f"released {tag}: CHANGELOG.md written, commit and annotated tag created.\n"
                f"Publish it: git push origin HEAD {tag}\n"
            )
            return 0
        tags, found = check(args.root)
    except ReleaseError as error:
        sys.stderr.write("".join(f"release: {problem}\n" for problem in error.problems))
        return 1
    previous = latest(tags)
    sys.stdout.write(
        f"release: tags and {CHANGELOG} agree (latest release: "
        f"{'v' + previous if previous else 'none yet'}); "
        f"{len(found)} fragment(s) waiting in {FRAGMENTS}/\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
