#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2024.10.9"]
# ///
"""Every gate of the kit, one session each. CI runs these same sessions.

`nox` runs every gate; `nox -l` lists them; `nox -s NAME -- ARGS` passes ARGS on.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "tools" / "liveproc" / "src"))  # stdlib only: nox's interpreter
import liveproc  # noqa: E402

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = False

APP = ROOT / "reference_app"


def install(session: nox.Session, *groups: str, packages: str = "all") -> None:
    """Install from uv.lock: PACKAGES ("all" workspace packages, "govkit" alone, or "none") and
    the dependency GROUPS of pyproject.toml, and nothing else (each session runs only its tools).
    """
    selection: dict[str, list[str]] = {"all": ["--all-packages"], "govkit": [], "none": []}
    if packages not in selection:
        session.error(f"install(packages={packages!r}): all, govkit or none")
    only = packages == "none"
    session.run_install(
        "uv",
        "sync",
        "--locked",
        *selection[packages],
        "--no-default-groups",
        *(f"--only-group={g}" if only else f"--group={g}" for g in groups),
        "--no-progress",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
    )


# --- code: lint, types, tests ------------------------------------------------------------------


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over the whole repository; hadolint on the Dockerfile."""
    install(session, "lint", packages="none")
    args = session.posargs or ["."]
    session.run("ruff", "check", *args)
    session.run("ruff", "format", "--check", *args)
    session.run("hadolint", "reference_app/Dockerfile")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on govkit, the reference app, their tests, scripts and this noxfile."""
    install(session, "typecheck")
    if session.posargs:
        session.run("mypy", *session.posargs)
        return
    session.run(
        "mypy",
        "src/govkit",
        "reference_app/src/pricing_service",
        "reference_app/dev/pricing_service_dev",
        "kit_tests",
        "bench",
        "tools/release.py",
        "tools/template_sync.py",
        "tools/corpus.py",
        "tools/liveproc/src/liveproc",
        "noxfile.py",
    )
    # The reference app's tests (their package is `tests`) are checked from its folder.
    session.chdir(APP)
    session.run("mypy", "--config-file", "../pyproject.toml", "tests", "staging")
    session.chdir("bench")  # its scripts import each other as top-level modules
    session.run("mypy", "--config-file", "../../pyproject.toml", ".")


# The kit's tests, then the reference app's; `nox -s template` runs the template's tests, and
# the app's fuzz and JWT matrix have sessions of their own.
KIT_TESTS = [
    "kit_tests",
    "--ignore=kit_tests/test_template.py",
    "--ignore=kit_tests/test_template_sync.py",
    "--ignore=kit_tests/test_newcomer.py",  # runs the documents' servers on their fixed ports
    "--ignore=kit_tests/fleet_e2e",  # drives a browser: `nox -s fleet_e2e`
]
APP_TESTS = ["reference_app/tests", "--ignore=reference_app/tests/fuzz", "-m", "not jwt_matrix"]
# One worker per core (pytest-xdist), each with its own database (reference_app/tests/databases.py);
PARALLEL = ["--numprocesses=auto", "--dist=loadfile"]  # a module's fixtures built once


@nox.session
def tests(session: nox.Session) -> None:
    """pytest with coverage, in parallel: govkit, then the reference app (SQLite, or
    TEST_DATABASE_URL); `-- ARGS` runs `pytest ARGS` alone."""
    install(session, "test")
    if session.posargs:
        session.run("pytest", *session.posargs)
        return
    session.env["COVERAGE_FILE"] = str(ROOT / ".coverage")
    session.run("pytest", *PARALLEL, "--cov=govkit", "--cov-report=", *KIT_TESTS)
    session.run(
        "pytest",
        *PARALLEL,
        "--cov=pricing_service",
        "--cov-append",
        "--cov-report=term-missing:skip-covered",
        *APP_TESTS,
    )


# --- tools the gates run that are not Python packages ------------------------------------------


def _passwordless_sudo() -> bool:
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], check=False, capture_output=True).returncode == 0


def apt_install(session: nox.Session, package: str, why: str) -> None:
    """Install a Debian package, as root or with password-less sudo; never prompt."""
    if os.geteuid() == 0:
        sudo: list[str] = []
    elif _passwordless_sudo():
        sudo = ["sudo", "-n"]
    else:
        session.error(
            f"{why} and installing it needs root: run "
            f"`sudo apt-get install -y {package}` (Debian/Ubuntu) and retry"
        )
    session.run(*sudo, "apt-get", "update", external=True)
    session.run(
        *sudo,
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        package,
        external=True,
    )


# promtool, pinned: Prometheus' LTS release archive, checked against the sha256 of the release's
# sha256sums.txt, cached per user. The same install locally and in CI; where GitHub's release
# downloads cannot be reached (these sandboxes), Debian's `prometheus` package stands in, and the
# session says so (docs/ci-on-github.md).
PROMTOOL_VERSION = "3.13.1"
PROMTOOL_SHA256 = {
    "amd64": "962b812371aff838d152b6ff2d56fdb7a6396f5542f48ebf73421b9721f0d103",
    "arm64": "fbd8e5e0f6ad2e7d053e717739186caee4fd0cab2cf9335bfc86c292fe2a2bfe",
}
PROMTOOL_URL = (
    "https://github.com/prometheus/prometheus/releases/download/"
    "v{version}/prometheus-{version}.linux-{arch}.tar.gz"
)


def promtool(session: nox.Session) -> str:
    """Path of promtool PROMTOOL_VERSION: the cached release binary, else download and verify it."""
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        session.error(f"no pinned promtool for {sys.platform}/{platform.machine()}: linux only")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    binary = cache / "govkit-tools" / f"promtool-{PROMTOOL_VERSION}-{arch}" / "promtool"
    if binary.is_file():
        return str(binary)
    url = PROMTOOL_URL.format(version=PROMTOOL_VERSION, arch=arch)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - a fixed https URL
            archive = response.read()
    except OSError as error:  # URLError, timeouts, refused connections
        session.warn(f"cannot download promtool {PROMTOOL_VERSION} ({error}): using Debian's")
        return debian_tool(session, "promtool", "prometheus")
    digest = hashlib.sha256(archive).hexdigest()
    if digest != PROMTOOL_SHA256[arch]:  # never run a binary that is not the pinned one
        session.error(f"{url}: sha256 {digest}, expected {PROMTOOL_SHA256[arch]}")
    member = f"prometheus-{PROMTOOL_VERSION}.linux-{arch}/promtool"
    binary.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        extracted = tar.extractfile(member)
        if extracted is None:
            session.error(f"{url} holds no {member}")
        partial = binary.with_suffix(".partial")
        partial.write_bytes(extracted.read())
    partial.chmod(0o755)
    partial.replace(binary)
    session.log(f"promtool {PROMTOOL_VERSION} (sha256 verified) cached at {binary}")
    return str(binary)


def debian_tool(session: nox.Session, name: str, package: str, path: str | None = None) -> str:
    """Path of NAME (found on PATH, or the file PATH) from the Debian package PACKAGE, installed
    with apt when missing; never a downloaded binary."""

    def find() -> str | None:
        if path is not None:
            return path if Path(path).exists() else None
        return shutil.which(name)

    found = find()
    if found is None:
        apt_install(session, package, f"{path or name} is missing")
        found = find()
    if found is None:
        session.error(f"installed the {package} package but {path or name} is still missing")
    return found


# --- the kit's own gates -------------------------------------------------------------------------


@nox.session
def slo(session: nox.Session) -> None:
    """SLO rules: rendered files up to date, `promtool check rules`, promtool unit tests."""
    install(session, packages="govkit")
    rules_dir = "ops/prometheus"
    session.run("govkit", "slo", "render", "policies/slo.yaml", "-o", f"{rules_dir}/", "--check")
    tool = promtool(session)
    session.run(
        tool, "check", "rules", *sorted(map(str, ROOT.glob(f"{rules_dir}/*.yml"))), external=True
    )
    tests = session.posargs or sorted(map(str, ROOT.glob(f"{rules_dir}/tests/*.test.yml")))
    session.run(tool, "test", "rules", *tests, external=True)


@nox.session
def secrets(session: nox.Session) -> None:
    """Secrets gate: detect-secrets + govkit plugins on tracked files, audited baseline."""
    install(session, packages="govkit")
    args = session.posargs or ["--baseline", ".secrets.baseline"]
    session.run("govkit", "secrets", "scan", *args)
    session.run("govkit", "check", ".", "--select", "SEC101,SEC102", "--quiet")


def workflow_gates(session: nox.Session, root: Path) -> None:
    """govkit's workflow checks, GitHub's schemas, actionlint and zizmor on ROOT's .github/."""
    files = sorted(map(str, (root / ".github" / "workflows").glob("*.y*ml")))
    if not files:
        session.error(f"no workflow files under {root}/.github/workflows")
    session.run("govkit", "workflows", "check", str(root))  # first: its messages are the fixes
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files)
    dependabot = root / ".github" / "dependabot.yml"
    if dependabot.is_file():
        session.run("check-jsonschema", "--builtin-schema", "vendor.dependabot", str(dependabot))
    session.run("actionlint", *files)
    session.run("zizmor", "--offline", *files)


@nox.session
def workflows(session: nox.Session) -> None:
    """Workflows: GitHub schema, actionlint, zizmor (offline), govkit's workflow checks."""
    install(session, "gates", packages="govkit")
    workflow_gates(session, Path(session.posargs[0] if session.posargs else "."))


@nox.session(default=False)
def gates(session: nox.Session) -> None:
    """govkit's gates on any repository (reusable workflow): -- PATH [--sarif F] [--json F]."""
    install(session, "gates", packages="govkit")
    parser = argparse.ArgumentParser(prog="nox -s gates --", exit_on_error=False)
    parser.add_argument("path", nargs="?", default=".", type=Path)
    parser.add_argument("--sarif", type=Path, help="write `govkit audit --format sarif` here")
    parser.add_argument("--json", type=Path, help="write `govkit audit --format json` here")
    parser.add_argument("--ignore", default="", help="check ids that do not apply")
    try:
        args = parser.parse_args(session.posargs)
    except argparse.ArgumentError as error:
        session.error(f"{error}; usage: {parser.format_usage().strip()}")
    root = args.path.resolve()
    if not root.is_dir():
        session.error(f"{root} is not a directory")
    ignore = ["--ignore", args.ignore] if args.ignore else []
    # The reports first, so that code scanning and the fleet see every failing check even if a
    # gate fails below.
    for fmt, target in (("sarif", args.sarif), ("json", args.json)):
        if target:
            session.run("govkit", "audit", str(root), "--format", fmt, "-o", str(target), *ignore)
    session.chdir(root)
    session.run("govkit", "secrets", "scan")
    workflow_gates(session, root)
    session.run("govkit", "check", ".", *ignore)


@nox.session(default=False)
def fleet_report(session: nox.Session) -> None:
    """Fleet report: `govkit fleet report DIR` over gathered audit JSON (the fleet workflow)."""
    install(session, packages="govkit")
    session.run("govkit", "fleet", "report", *(session.posargs or ["fleet"]))


@nox.session
def check(session: nox.Session) -> None:
    """govkit check: every repository check on this repository."""
    install(session, packages="govkit")
    session.run("govkit", "check", *(session.posargs or ["."]))


@nox.session(default=False)
def checks_doc(session: nox.Session) -> None:
    """Regenerate docs/checks.md from the check classes (a test fails when it drifts)."""
    install(session, packages="govkit")
    session.run("govkit", "audit", "--list-checks", "--format", "markdown", "-o", "docs/checks.md")


@nox.session
def audit(session: nox.Session) -> None:
    """govkit audit: this repository must score 100 against its own policies."""
    install(session, packages="govkit")
    args = session.posargs or ["--fail-under", "100"]
    session.run("govkit", "audit", ".", *args)


# --- the reference app's gates -------------------------------------------------------------------


@nox.session
def jwt_matrix(session: nox.Session) -> None:
    """JWT matrix: JWT-01..JWT-15 and extended cases, then a table of ID → result."""
    install(session, "test")
    # SQLite by default; TEST_DATABASE_URL=postgresql+psycopg://... runs it on PostgreSQL.
    args = session.posargs or ["-q", "reference_app/tests/jwt_matrix"]
    session.run("pytest", "-m", "jwt_matrix", *args)


@nox.session
def contracts(session: nox.Session) -> None:
    """API contract: the app's OpenAPI vs contracts/openapi.json (`-- --update` rewrites it)."""
    install(session, "test")
    # The service exports its own document (it never imports govkit); govkit compares it: one
    # line per finding, fails on a breaking change, or on any difference until --update.
    exported = Path(session.create_tmp()) / "openapi.json"
    session.run("pricing-service", "openapi", "-o", str(exported), env={"APP_ENV": "test"})
    contract = "reference_app/contracts/openapi.json"
    session.run("govkit", "contracts", "check", contract, str(exported), *session.posargs)
    session.chdir(APP)
    session.run("pytest", "tests/contract", "-p", "no:cacheprovider")


@nox.session
def template(session: nox.Session) -> None:
    """Copier template: stamped repos green, adoption, updates, copies in sync, docs run."""
    install(session, "test")
    tests = [
        "kit_tests/test_template.py",
        "kit_tests/test_template_sync.py",
        "kit_tests/test_newcomer.py",
    ]
    # Test by test over one worker per core; the newcomer's tests share its fixed ports, so they
    # run as one group on one worker (their xdist_group).
    parallel = ["--numprocesses=auto", "--dist=loadgroup"]
    session.run("pytest", "-p", "no:cacheprovider", *parallel, *(session.posargs or tests))


@nox.session(default=False)
def template_sync(session: nox.Session) -> None:
    """Rewrite the template's service core and the kit's governance files from their sources."""
    install(session, "drift")  # copier renders the template
    session.run("python", "tools/template_sync.py", "--write", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Schemathesis on the in-process app: every operation, a fixed seed, zero failures."""
    install(session, "fuzz")
    session.chdir(APP)
    # FUZZ_SEED=<n> reproduces a run; FUZZ_MAX_EXAMPLES bounds cases per operation and phase.
    env = {
        "FUZZ_SEED": os.environ.get("FUZZ_SEED", "20261126"),
        "FUZZ_MAX_EXAMPLES": os.environ.get("FUZZ_MAX_EXAMPLES", "25"),
    }
    session.log(f"FUZZ_SEED={env['FUZZ_SEED']} FUZZ_MAX_EXAMPLES={env['FUZZ_MAX_EXAMPLES']}")
    args = session.posargs or ["tests/fuzz"]
    session.run("pytest", "-p", "no:cacheprovider", *args, env=env)


@nox.session
def migrations(session: nox.Session) -> None:
    """Alembic: one head, up/down/up, models = migrations, named constraints; squawk; MG1xx."""
    install(session, "test")
    session.chdir(APP)
    pytest_args = ["-p", "no:cacheprovider", *(session.posargs or ["tests/migrations"])]
    session.run("pytest", *pytest_args, env={"TEST_DATABASE_URL": ""})  # SQLite
    if os.environ.get("TEST_DATABASE_URL"):  # PostgreSQL too when it is set (CI sets it)
        session.run("pytest", *pytest_args)
    sql_dir = Path(session.create_tmp()) / "migrations-sql"
    session.run("python", "-m", "tests.migrations.offline_sql", str(sql_dir))
    session.run("squawk", "-c", ".squawk.toml", *sorted(map(str, sql_dir.glob("*.sql"))))
    session.chdir(ROOT)
    session.run("govkit", "check", ".", "--select", "MG101,MG102,MG103")


# --- the pricing console (Node.js) and the running service -------------------------------------

FRONTEND = APP / "frontend"
CHROMIUM = "/usr/bin/chromium"


def npm(session: nox.Session) -> str:
    """Path of npm; a clear error when Node.js is missing."""
    found = shutil.which("npm")
    if not found:
        session.error(
            "Node.js is not installed (no npm on PATH): install Node.js 20.19+ "
            "(e.g. `apt-get install -y nodejs npm` or nodejs.org) and retry"
        )
    return found


def npm_ci(session: nox.Session) -> str:
    """npm ci in reference_app/frontend: exactly the versions of package-lock.json."""
    tool = npm(session)
    session.chdir(FRONTEND)
    session.run(tool, "ci", "--no-audit", "--no-fund", "--prefer-offline", external=True)
    return tool


@nox.session(python=False)
def frontend_lint(session: nox.Session) -> None:
    """Pricing console: npm ci, ESLint (typed rules, React hooks) and tsc --noEmit."""
    tool = npm_ci(session)
    session.run(tool, "run", "lint", "--", *session.posargs, external=True)
    session.run(tool, "run", "typecheck", external=True)


@nox.session(python=False)
def frontend_tests(session: nox.Session) -> None:
    """Pricing console: Vitest unit tests (jsdom, Testing Library)."""
    tool = npm_ci(session)
    session.run(tool, "test", "--", *session.posargs, external=True)


@nox.session
def e2e(session: nox.Session) -> None:
    """Pricing console in headless Chromium against a live service (Playwright)."""
    install(session, "e2e")
    browser(session)
    tool = npm_ci(session)
    session.run(tool, "run", "build", external=True)
    session.chdir(ROOT)
    artifacts = Path(session.virtualenv.location) / "artifacts"
    shutil.rmtree(artifacts, ignore_errors=True)  # screenshots of this run only
    session.env["E2E_ARTIFACTS_DIR"] = str(artifacts)
    session.log(f"server logs and failure screenshots: {artifacts}")
    args = session.posargs or ["-q", "reference_app/e2e"]
    session.run("pytest", "-p", "no:cacheprovider", *args)


@nox.session
def fleet_e2e(session: nox.Session) -> None:
    """Fleet report in headless Chromium from disk: sorting, heatmap rows, links to fixes."""
    install(session, "e2e", packages="govkit")
    browser(session)
    artifacts = Path(session.virtualenv.location) / "artifacts"
    shutil.rmtree(artifacts, ignore_errors=True)  # screenshots of this run only
    session.env["FLEET_E2E_ARTIFACTS"] = str(artifacts)
    session.log(f"screenshots: {artifacts}")
    args = session.posargs or ["-q", "kit_tests/fleet_e2e"]
    session.run("pytest", "-p", "no:cacheprovider", *args)


def browser(session: nox.Session) -> None:
    """The browser tests' Chromium, named to them in E2E_BROWSER (and E2E_CHROMIUM).

    E2E_BROWSER=playwright (CI on GitHub's runners): Playwright's own Chromium, at the version
    uv.lock's playwright expects, with its system libraries. Otherwise Debian's /usr/bin/chromium
    (these machines reach no browser download; ubuntu-24.04's `chromium` is a snap shim).
    """
    choice = os.environ.get("E2E_BROWSER", "system")
    if choice == "playwright":
        session.run("playwright", "install", "--with-deps", "chromium")
    elif choice == "system":
        session.env["E2E_CHROMIUM"] = debian_tool(session, "chromium", "chromium", CHROMIUM)
    else:
        session.error(f"E2E_BROWSER must be `playwright` or `system`, not {choice!r}")
    session.env["E2E_BROWSER"] = choice


@nox.session
def staging_smoke(session: nox.Session) -> None:
    """Staging smoke: the image's install, APP_ENV=staging on PostgreSQL, 2 API workers + worker."""
    install(session)
    session.chdir(APP)
    # STAGING_DATABASE_URL, else TEST_DATABASE_URL's server, else 127.0.0.1:5432 (--help).
    # No PostgreSQL is a failure with one line saying what to start, never a skip.
    session.run("python", "-m", "staging.smoke", *session.posargs)


# --- not gates: releases, pull requests, drift, development, benchmarks -------------------------


@nox.session(default=False)
def release(session: nox.Session) -> None:
    """Release: tags and CHANGELOG.md agree; `-- X.Y.Z` writes the notes, commits, tags vX.Y.Z."""
    install(session, "release", packages="none")
    session.run("python", "tools/release.py", *session.posargs)


@nox.session(name="pr-contract", default=False)
def pr_contract(session: nox.Session) -> None:
    """The pull request against the PR template (CI: the event file; locally: -- --body-file F)."""
    install(session, packages="govkit")
    session.run("govkit", "pr", "check", ".", *session.posargs)


@nox.session(default=False)
def drift(session: nox.Session) -> None:
    """Drift: GitHub's ruleset, labels and CODEOWNERS teams vs the files; the template's version."""
    install(session, "drift", packages="govkit")
    session.run("govkit", "drift", ".", *session.posargs)


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """Build the console, migrate, seed, then run the API on embedded SQLite (development)."""
    install(session)
    # Development is what this session is for; the service itself treats an unset APP_ENV as
    # production (and would refuse SQLite and the development secrets).
    session.env.setdefault("APP_ENV", os.environ.get("APP_ENV", "development"))
    if shutil.which("npm"):
        session.run(npm_ci(session), "run", "build", external=True)
        session.log("the pricing console is at / of the server below")
    else:
        session.warn("Node.js (npm) not found: serving the API only, without the console at /")
    session.chdir(APP)
    session.run("pricing-service", "migrate")
    session.run("pricing-service", "seed", "--products", "200")  # idempotent demo catalogue
    session.run("pricing-service", "users", "ensure-demo")  # prints new credentials once
    with fake_marketplace(session):  # the in-process sync worker pushes prices to it
        session.run("pricing-service", "serve", *session.posargs)


@contextlib.contextmanager
def fake_marketplace(session: nox.Session) -> Iterator[None]:
    """The local fake MercadoLibre on :8001 in the background, unless ML_API_BASE_URL is set."""
    if os.environ.get("ML_API_BASE_URL"):
        yield
        return
    # A development double: pricing_service_dev, beside the service (never in its wheel).
    python = str(Path(session.bin) / "python")
    command = [python, "-m", "pricing_service_dev", "fake-marketplace", "--port", "8001"]
    url = "http://127.0.0.1:8001"
    # The session's environment (APP_ENV=development), not only the one nox was started with.
    env = {**os.environ, **{k: v for k, v in session.env.items() if v is not None}}
    # The fake runs in a process group of its own: a SIGTERM to nox (a supervisor, a test that
    # stops `nox -s serve`) must unwind this block and stop it too, not leave it holding :8001.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with liveproc.running(command, env=env, ready_url=f"{url}/_fake/health"):
            session.log(f"fake marketplace on {url} (GET /_fake/items shows pushed prices)")
            yield
    except liveproc.ProcessError as error:
        session.error(str(error))
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@nox.session(default=False)
def audit_corpus(session: nox.Session) -> None:
    """govkit audit on the labelled corpus: precision, recall, Spearman (docs/audit.md)."""
    install(session, packages="govkit")
    # Fetched copies in $GOVKIT_CORPUS_MIRROR (default /work/.mirror); a missing one fails.
    session.run("python", "tools/corpus.py", *session.posargs)


@nox.session(default=False)
def bench_audit(session: nox.Session) -> None:
    """Benchmark: govkit audit on a synthetic 20,000-file repository (BENCHMARKS.md)."""
    install(session, packages="govkit")
    session.run("python", "bench/audit_scale.py", *session.posargs)


@nox.session(default=False)
def bench_fleet(session: nox.Session) -> None:
    """Benchmark: `govkit fleet audit` over 200 repositories vs 200 `govkit audit` runs."""
    install(session, packages="govkit")
    session.run("python", "bench/fleet_scale.py", *session.posargs)


@nox.session(default=False)
def bench_sync(session: nox.Session) -> None:
    """Benchmark: push 5,000 pending prices to the fake marketplace (BENCHMARKS.md)."""
    install(session, "bench")
    session.chdir(APP)
    session.run("python", "bench/sync_throughput.py", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmark: the API under wrk next to a bare FastAPI app (BENCHMARKS.md, API load)."""
    install(session, "bench")
    debian_tool(session, "wrk", "wrk")
    session.run("python", "reference_app/bench/api_load.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
