"""``govkit secrets``: the secrets gate (scan, audit-baseline) and the baseline refresh.

``scan`` is what the pre-commit hook and ``nox -s secrets`` both run; run every command
from the repository root, where ``.secrets.baseline`` lives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkit.errors import UsageError
from govkit.secrets import (
    DEFAULT_BASELINE,
    BaselineError,
    Finding,
    baseline_problems,
    create_baseline,
    load_baseline,
    scan,
    tracked_files,
    write_baseline,
)

_NEW_FINDINGS_FIX = """\
Fix each one: delete the secret and rotate it (once pushed, it is leaked). For a false
positive, end that line with the comment `pragma: allowlist secret`, or record it in the
baseline: `govkit secrets baseline`, then `uv run detect-secrets audit {baseline}` and
answer "no". Process and reviewers: docs/secrets.md.
"""

_PROBLEM_FIX = {
    "not audited": "run `uv run detect-secrets audit {baseline}` and answer each entry",
    "audited as a real secret": "rotate it, delete it from {file}, then `govkit secrets baseline`",
}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "secrets",
        help="secrets gate: scan files, audit or refresh the baseline",
        description=__doc__,
    )
    commands = parser.add_subparsers(dest="secrets_command", metavar="SUBCOMMAND", required=True)

    scan_parser = commands.add_parser(
        "scan",
        help="fail on potential secrets not in the baseline, or on a bad baseline",
        description="Scan FILES (default: every file git tracks) with detect-secrets and govkit's "
        "plugins; fail on findings the baseline does not hold and on baseline "
        "entries that are unaudited or audited as real secrets.",
    )
    scan_parser.add_argument("files", nargs="*", help="files to scan (default: `git ls-files`)")
    _baseline_option(scan_parser)
    scan_parser.set_defaults(handler=handle_scan)

    audit_parser = commands.add_parser(
        "audit-baseline", help="fail on baseline entries not audited as false positives"
    )
    _baseline_option(audit_parser)
    audit_parser.set_defaults(handler=handle_audit)

    baseline_parser = commands.add_parser(
        "baseline",
        help="create or refresh the baseline from tracked files, keeping audits",
        description="Rescan every tracked file and write the baseline; entries already audited "
        "keep their decision, new ones must be audited with `detect-secrets audit`.",
    )
    _baseline_option(baseline_parser)
    baseline_parser.set_defaults(handler=handle_baseline)


def _baseline_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        default=DEFAULT_BASELINE,
        type=Path,
        help=f"detect-secrets baseline (default: {DEFAULT_BASELINE})",
    )


def _load(path: Path) -> dict[str, Any]:
    try:
        return load_baseline(path)
    except BaselineError as error:
        raise UsageError(str(error)) from error


def _report_problems(baseline: dict[str, Any], path: Path) -> int:
    problems = baseline_problems(baseline)
    if problems:
        sys.stdout.write(f"{path}: entries that block the gate (file:line: type):\n")
        for finding, problem in problems:
            fix = _PROBLEM_FIX[problem].format(baseline=path, file=finding.filename)
            sys.stdout.write(f"  {finding} ({problem}): {fix}\n")
    return len(problems)


def _report_findings(findings: list[Finding], path: Path) -> None:
    sys.stdout.write(f"Potential secrets not in {path} (file:line: type):\n")
    sys.stdout.writelines(f"  {finding}\n" for finding in findings)
    sys.stdout.write(_NEW_FINDINGS_FIX.format(baseline=path))


def handle_scan(args: argparse.Namespace) -> int:
    baseline = _load(args.baseline)
    try:
        files = list(args.files) or tracked_files()
    except BaselineError as error:
        raise UsageError(str(error)) from error
    findings = scan(files, baseline, str(args.baseline))
    if findings:
        _report_findings(findings, args.baseline)
    problems = _report_problems(baseline, args.baseline)
    if findings or problems:
        return 1
    sys.stdout.write(f"secrets: {len(files)} files scanned, nothing outside {args.baseline}\n")
    return 0


def handle_audit(args: argparse.Namespace) -> int:
    baseline = _load(args.baseline)
    if _report_problems(baseline, args.baseline):
        return 1
    count = sum(len(entries) for entries in baseline["results"].values())
    sys.stdout.write(f"{args.baseline}: {count} entries, all audited as false positives\n")
    return 0


def handle_baseline(args: argparse.Namespace) -> int:
    path: Path = args.baseline
    old = _load(path) if path.exists() else None
    try:
        files = tracked_files()
    except BaselineError as error:
        raise UsageError(str(error)) from error
    data = create_baseline(files, old, str(path))
    write_baseline(path, data)
    count = sum(len(entries) for entries in data["results"].values())
    unaudited = len(baseline_problems(data))
    sys.stdout.write(
        f"{path}: {count} entries written, {unaudited} to audit "
        f"(`uv run detect-secrets audit {path}`)\n"
    )
    return 0
