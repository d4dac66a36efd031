"""``govkit slo render SPEC -o DIR [--check]``: SLOs as code, rendered into Prometheus rules.

Without ``--check`` it writes the rules; with ``--check`` it writes nothing and exits 1 when the
committed files differ from what the specification renders to (stale or hand-edited).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkit.errors import UsageError


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "slo", help="SLOs as code: render Prometheus rules", description=__doc__
    )
    actions = parser.add_subparsers(dest="slo_command", metavar="ACTION", required=True)
    render_parser: argparse.ArgumentParser = actions.add_parser(
        "render",
        help="write recording rules and burn-rate alerts from an SLO file",
        description=__doc__,
    )
    render_parser.add_argument("spec", type=Path, help="the SLO file, e.g. policies/slo.yaml")
    render_parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="folder for the rules, e.g. ops/prometheus/",
    )
    render_parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the files in the folder are stale",
    )
    render_parser.set_defaults(handler=handle_render)


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when inside it, so file headers are stable."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _generated_files(folder: Path) -> set[str]:
    from govkit.slo.render import GENERATED_MARK

    found: set[str] = set()
    for path in folder.glob("*.yml"):
        with path.open(encoding="utf-8") as handle:
            if handle.readline().startswith(GENERATED_MARK):
                found.add(path.name)
    return found


def handle_render(args: argparse.Namespace) -> int:
    from govkit.slo import load, render  # jsonschema, when the command runs (not at start-up)

    spec_path: Path = args.spec
    out: Path = args.output
    spec = load(spec_path)
    files = render(spec, _shown(spec_path), _shown(out))
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is not a directory")
    command = f"govkit slo render {_shown(spec_path)} -o {_shown(out)}/"
    if args.check:
        stale = sorted(
            name
            for name, text in files.items()
            if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
        )
        orphans = sorted(_generated_files(out) - files.keys()) if out.is_dir() else []
        for name in stale:
            sys.stdout.write(f"{(out / name).as_posix()} is stale: run `{command}`\n")
        for name in orphans:
            sys.stdout.write(
                f"{(out / name).as_posix()} was generated but no longer is: delete it "
                f"and run `{command}`\n"
            )
        if stale or orphans:
            return 1
        sys.stdout.write(f"{len(files)} SLO rule file(s) in {out.as_posix()} are up to date\n")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(_generated_files(out) - files.keys()):
        (out / name).unlink()
        sys.stdout.write(f"removed {(out / name).as_posix()} (no longer generated)\n")
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {(out / name).as_posix()}\n")
    return 0
