"""Dependencies that nothing proposes to update (DEP101).

A repository that declares dependencies (Python, JavaScript, Go, Rust, Ruby, PHP, Java manifests)
needs a bot that opens the update pull requests, or its pins and lock files age until a security
fix forces a jump across many versions. Dependabot (`.github/dependabot.yml`) and Renovate (its
config files, or a `renovate` key in package.json) are the two; pre-commit.ci's autoupdate moves
only the hooks. Manifests of test fixtures, vendored code, docs examples and a template's
sources are not the repository's dependencies.
"""

from __future__ import annotations

import json
import tomllib

from govkit.checks.base import EVERY_REPOSITORY, Check, Skip, register
from govkit.profile import Profile
from govkit.repo import Repo

DEPENDABOT = ".github/dependabot.yml"
UPDATE_CONFIGS = (
    DEPENDABOT,
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
)
# manifest file name -> Dependabot's package-ecosystem
_ECOSYSTEMS = {
    "pyproject.toml": "pip",
    "setup.py": "pip",
    "setup.cfg": "pip",
    "Pipfile": "pip",
    "uv.lock": "uv",
    "package.json": "npm",
    "go.mod": "gomod",
    "Cargo.toml": "cargo",
    "Gemfile": "bundler",
    "composer.json": "composer",
    "pom.xml": "maven",
    "build.gradle": "gradle",
    "build.gradle.kts": "gradle",
}
# Folders whose manifests describe fixtures or generated projects, not the repository.
_NOT_DEPENDENCIES = frozenset({"tests", "test", "testing", "fixtures", "template", "templates"})


def _ecosystem(repo: Repo, rel: str) -> str | None:
    name = rel.rsplit("/", 1)[-1]
    if "requirements" in name and name.endswith((".txt", ".in")):
        return "pip"
    # a pyproject.toml or setup.cfg may only configure tools
    if name == "pyproject.toml" and not _declares_dependencies(repo.text(rel) or ""):
        return None
    if name == "setup.cfg" and "install_requires" not in (repo.text(rel) or ""):
        return None
    return _ECOSYSTEMS.get(name)


def _declares_dependencies(text: str) -> bool:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True  # PRS101 reports it; it is a manifest all the same
    project = data.get("project", {})
    poetry = data.get("tool", {}).get("poetry", {})
    return bool(
        (isinstance(project, dict) and ("dependencies" in project or "dynamic" in project))
        or data.get("dependency-groups")
        or (isinstance(poetry, dict) and poetry.get("dependencies"))
    )


def manifests(repo: Repo, profile: Profile) -> dict[tuple[str, str], list[str]]:
    """(ecosystem, folder) -> the manifests there, of the repository's own code."""
    found: dict[tuple[str, str], list[str]] = {}
    for rel in repo.files:
        *folders, _ = rel.split("/")
        if _NOT_DEPENDENCIES.intersection(folders) or profile.not_own_code(rel) is not None:
            continue
        ecosystem = _ecosystem(repo, rel)
        if ecosystem is not None:
            found.setdefault((ecosystem, "/" + "/".join(folders)), []).append(rel)
    for ecosystem, folder in list(found):
        # Dependabot's uv ecosystem updates pyproject.toml and uv.lock together
        if ecosystem == "uv" and ("pip", folder) in found:
            found[ecosystem, folder] = sorted(found[ecosystem, folder] + found.pop(("pip", folder)))
    return found


def _renovate_in_package_json(repo: Repo) -> bool:
    try:
        data = json.loads(repo.text("package.json") or "{}")
    except ValueError:
        return False
    return isinstance(data, dict) and "renovate" in data


def _dependabot_yml(ecosystems: list[tuple[str, str]]) -> str:
    entries = [
        f"  - package-ecosystem: {ecosystem}\n    directory: {folder}\n"
        "    schedule:\n      interval: weekly\n"
        f'    groups:\n      {ecosystem}:\n        patterns: ["*"]'
        for ecosystem, folder in ecosystems
    ]
    return "version: 2\nupdates:\n" + "\n".join(entries)


@register
class DEP101(Check):
    """Dependabot or Renovate proposes dependency updates"""

    applies = EVERY_REPOSITORY
    scope = "health"
    kinds = frozenset({"no-dependency-updates"})
    family = "security"
    severity = "P2"
    effort = "S"
    ticket = "T15"
    files_expected = (DEPENDABOT,)

    def check(self, repo: Repo, profile: Profile) -> str | None:
        found = manifests(repo, profile)
        if not found:
            raise Skip("does not apply: no dependency manifest of its own")
        if any(repo.exists(c) for c in UPDATE_CONFIGS) or _renovate_in_package_json(repo):
            return None
        ecosystems = sorted(found)
        if repo.workflow_files:
            ecosystems.append(("github-actions", "/"))
        files = sorted(rel for manifests_ in found.values() for rel in manifests_)
        more = f" and {len(files) - 5} more" if len(files) > 5 else ""
        return (
            "No Dependabot or Renovate configuration: the dependencies of "
            f"{', '.join(files[:5])}{more} are updated only by hand, and their pins and lock "
            "files age until a security fix forces a jump across versions.\n"
            f"Create {DEPENDABOT} (or configure Renovate):\n" + _dependabot_yml(ecosystems)
        )
