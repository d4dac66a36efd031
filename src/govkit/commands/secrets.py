"""``govkit secrets``: the secrets gate (scan, audit-baseline), the baseline refresh, adoption.

``scan`` is what the pre-commit hook and ``nox -s secrets`` both run; run every command
from the repository root, where ``.secrets.baseline`` lives.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from govkit.secrets.adoption import RECORD, Adoption, AdoptionError, adoption_of, with_record

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

    adopt_parser = commands.add_parser(
        "adopt",
        help="record the potential secrets a repository already has when it adopts the kit",
        description=f"When the baseline is empty: scan every tracked file, record each finding "
        f"in the baseline (unaudited) and list it in {RECORD} for review. The gate lets the "
        "listed entries through until they are audited, so only new findings fail. A baseline "
        "that already has entries is left as it is.",
    )
    _baseline_option(adopt_parser)
    adopt_parser.add_argument(
        "--date", default=None, help="date written on the record (default: today, UTC)"
    )
    adopt_parser.set_defaults(handler=handle_adopt)


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


def _adoption(path: Path) -> Adoption:
    """The adoption record of the repository whose baseline is PATH."""
    try:
        return adoption_of(path.parent)
    except AdoptionError as error:
        raise UsageError(str(error)) from error


def _pending_note(baseline: dict[str, Any], adoption: Adoption) -> str:
    """What is still to review from the adoption, or nothing."""
    pending = sum(
        1
        for filename, entries in baseline["results"].items()
        for entry in entries
        if "is_secret" not in entry
        and (filename, str(entry.get("hashed_secret"))) in adoption.pending
    )
    if not pending:
        return ""
    return f"; {pending} recorded at adoption ({adoption.date}) await review: {RECORD}"


def _report_problems(baseline: dict[str, Any], path: Path, adoption: Adoption) -> int:
    problems = baseline_problems(baseline, adoption.pending)
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
    adoption = _adoption(args.baseline)
    findings = scan(files, baseline, str(args.baseline))
    if findings:
        _report_findings(findings, args.baseline)
    problems = _report_problems(baseline, args.baseline, adoption)
    if findings or problems:
        return 1
    sys.stdout.write(
        f"secrets: {len(files)} files scanned, nothing outside {args.baseline}"
        f"{_pending_note(baseline, adoption)}\n"
    )
    return 0


def handle_audit(args: argparse.Namespace) -> int:
    baseline = _load(args.baseline)
    adoption = _adoption(args.baseline)
    if _report_problems(baseline, args.baseline, adoption):
        return 1
    count = sum(len(entries) for entries in baseline["results"].values())
    pending = _pending_note(baseline, adoption)
    if pending:
        sys.stdout.write(f"{args.baseline}: {count} entries, the others audited{pending}\n")
    else:
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
    unaudited = len(baseline_problems(data, _adoption(path).pending))
    sys.stdout.write(
        f"{path}: {count} entries written, {unaudited} to audit "
        f"(`uv run detect-secrets audit {path}`)\n"
    )
    return 0


def handle_adopt(args: argparse.Namespace) -> int:
    path: Path = args.baseline
    old = _load(path) if path.exists() else None
    if old is not None and old["results"]:
        count = sum(len(entries) for entries in old["results"].values())
        sys.stdout.write(f"{path} already records {count} entries: left as it is\n")
        return 0
    try:
        files = tracked_files(path.parent)
    except BaselineError as error:
        raise UsageError(f"{error}; run `git init && git add -A`, then adopt") from error
    data = create_baseline(files, old, str(path))
    count = sum(len(entries) for entries in data["results"].values())
    if not count:
        if old is None:
            write_baseline(path, data)
        sys.stdout.write(f"secrets: no potential secret in {len(files)} files; {path} is empty\n")
        return 0
    record = path.parent / RECORD
    try:
        text = with_record(record.read_text(encoding="utf-8"), args.date or _today(), data)
    except OSError as error:
        raise UsageError(f"{record}: {error.strerror}; stamp it from the kit first") from error
    except AdoptionError as error:
        raise UsageError(str(error)) from error
    write_baseline(path, data)  # both files are computed before either is written
    record.write_text(text, encoding="utf-8")
    sys.stdout.write(
        f"{path}: {count} potential secrets already in the repository recorded, unaudited, and "
        f"listed in {RECORD} for review; the gate lets them through until then\n"
    )
    return 0


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()
