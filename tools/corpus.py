"""Run `govkit audit` on the labelled corpus and measure it against the labels (issue 20).

    python tools/corpus.py                      # every entry of kit_tests/fixtures/corpus/
    python tools/corpus.py pluggy httpretty     # only these entries (no ordering then)
    python tools/corpus.py --json r.json --markdown r.md  # also write JSON and docs' tables
    nox -s audit_corpus [-- ARGS]               # the same, with govkit from uv.lock

Each entry (`kit_tests/fixtures/corpus/<name>.yml`) pins an upstream `repo` and `commit`; its
trimmed snapshot is that commit's tree filtered by `snapshot.keep`/`drop`, materialised as a fresh
git work tree in a temporary folder from the fetched copy `$GOVKIT_CORPUS_MIRROR/OWNER+NAME/repo`
(default `/work/.mirror`; the search tool's `fetch github:OWNER/NAME` brings it). The snapshots
are never written inside this repository. Then `govkit audit SNAPSHOT --format json` runs on it
as a user would run it, and each label is matched against the findings:

- a true problem `{kind, file, line?}` is REPORTED when a failing check whose `kinds` holds `kind`
  has a finding at `path == file` (and, when the label has a line, a finding line within ±2);
  a label without `file`, or with `file: "."`, is matched by any finding of the kind (`.` also by
  a finding without a path); a label on a folder (`file: dir/`) by a finding inside it;
- a non-problem is VIOLATED when such a finding exists, or when a finding of its kind has no
  path at all (a repository-wide claim of that kind contradicts it wherever it is labelled).

It prints, per entry and in total, the true problems reported and missed (recall), the
non-problems violated (precision = reported / (reported + violated)), the health and adoption
scores and Spearman's rho of the health-score ordering against RANKING.yml's maturity ranking and
repo-review's. It exits 1, with one line per reason, when a label is missed or violated, when rho
against the maturity ranking is below 0.8, or when a fetched copy or a pinned commit is missing:
the corpus never skips.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "kit_tests" / "fixtures" / "corpus"
DEFAULT_MIRROR = Path("/work/.mirror")
MIN_RHO = 0.8
LINE_SLACK = 2

Audit = Callable[[Path], dict[str, Any]]


class CorpusError(Exception):
    """The corpus cannot be run (a missing fetched copy, a bad entry): one line."""


@dataclass(frozen=True)
class Label:
    kind: str
    file: str | None = None
    line: int | None = None

    def where(self) -> str:
        if self.file is None:
            return "(anywhere)"
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class Entry:
    name: str
    repo: str
    commit: str
    kind: str
    keep: tuple[str, ...]
    drop: tuple[str, ...]
    kept_files: int | None
    true_problems: tuple[Label, ...]
    non_problems: tuple[Label, ...]


@dataclass
class Result:
    entry: Entry
    score: int | None
    adoption: int | None
    reported: list[Label] = field(default_factory=list)
    missed: list[tuple[Label, str]] = field(default_factory=list)  # label, what the audit said
    violated: list[tuple[Label, str]] = field(default_factory=list)  # label, the finding's text


def _labels(raw: Iterable[dict[str, Any]] | None) -> tuple[Label, ...]:
    return tuple(
        Label(kind=str(item["kind"]), file=item.get("file"), line=item.get("line"))
        for item in raw or ()
    )


def load_entry(path: Path) -> Entry:
    """One `<name>.yml` of the corpus."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        snapshot = data["snapshot"]
        return Entry(
            name=str(data["name"]),
            repo=str(data["repo"]),
            commit=str(data["commit"]),
            kind=str(data.get("profile", {}).get("kind", "?")),
            keep=tuple(snapshot["keep"]),
            drop=tuple(snapshot.get("drop") or ()),
            kept_files=(snapshot.get("kept") or {}).get("files"),
            true_problems=_labels(data.get("true_problems")),
            non_problems=_labels(data.get("non_problems")),
        )
    except (KeyError, TypeError) as error:
        raise CorpusError(f"{path}: not a corpus entry (missing {error})") from None


def load_entries(corpus: Path, names: Sequence[str] = ()) -> list[Entry]:
    files = {p.stem: p for p in sorted(corpus.glob("*.yml")) if p.name != "RANKING.yml"}
    unknown = [n for n in names if n not in files]
    if unknown:
        raise CorpusError(f"no corpus entry named {', '.join(unknown)} in {corpus}")
    return [load_entry(files[n]) for n in (names or sorted(files))]


def load_ranking(corpus: Path) -> dict[str, list[str]]:
    """RANKING.yml's orderings, most mature first: `maturity` and `repo_review`."""
    data = yaml.safe_load((corpus / "RANKING.yml").read_text(encoding="utf-8"))
    return {
        key: [row["name"] for row in sorted(data[field_], key=lambda row: row["rank"])]
        for key, field_ in (("maturity", "maturity_rank"), ("repo_review", "repo_review_rank"))
    }


def glob_regex(glob: str) -> re.Pattern[str]:
    """`**` crosses folders, `*` and `?` stay within one (the corpus README's rule)."""
    out = re.sub(r"\\\*\\\*/", "(?:.*/)?", re.escape(glob))
    out = out.replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    return re.compile(out + r"\Z")


def mirror_git_dir(mirror: Path, repo: str) -> Path:
    """The fetched copy of REPO under MIRROR, or a CorpusError naming what to fetch."""
    folder = mirror / repo.replace("/", "+")
    for candidate in (folder / "repo", folder):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    raise CorpusError(
        f"no fetched copy of {repo} at {folder}/repo: fetch github:{repo} "
        "(the search tool's fetch) or set GOVKIT_CORPUS_MIRROR to the folder that holds it"
    )


def _git(git_dir: Path, *args: str) -> bytes:
    result = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, check=False
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise CorpusError(f"git {' '.join(args[:2])} in {git_dir}: {' '.join(message[:1])}")
    return result.stdout


def snapshot_paths(entry: Entry, git_dir: Path) -> list[str]:
    """The files of the pinned commit that the entry's keep globs take and its drop globs leave."""
    if subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{entry.commit}^{{commit}}"],
        capture_output=True,
        check=False,
    ).returncode:
        raise CorpusError(
            f"{entry.name}: commit {entry.commit} is not in {git_dir}: "
            f"fetch github:{entry.repo} again (the labels are pinned to that commit)"
        )
    listing = _git(git_dir, "ls-tree", "-r", "-z", "--name-only", entry.commit)
    paths = [p for p in listing.decode().split("\0") if p]
    keep = [glob_regex(g) for g in entry.keep]
    drop = [glob_regex(g) for g in entry.drop]
    return [p for p in paths if any(k.match(p) for k in keep) and not any(d.match(p) for d in drop)]


def materialise(entry: Entry, git_dir: Path, dest: Path) -> list[str]:
    """Write the trimmed snapshot into DEST as a fresh git work tree (a clone, as users audit)."""
    paths = snapshot_paths(entry, git_dir)
    if not paths:
        raise CorpusError(f"{entry.name}: the keep globs match no file of {entry.commit}")
    if entry.kept_files is not None and len(paths) != entry.kept_files:
        raise CorpusError(
            f"{entry.name}: the globs keep {len(paths)} files, the entry says "
            f"snapshot.kept.files {entry.kept_files}"
        )
    archive = _git(git_dir, "archive", "--format=tar", entry.commit, "--", *paths)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "corpus",
        "GIT_AUTHOR_EMAIL": "corpus@invalid",
        "GIT_COMMITTER_NAME": "corpus",
        "GIT_COMMITTER_EMAIL": "corpus@invalid",
    }
    for args in (
        ["init", "-q"],
        ["add", "-A", "-f"],  # every kept file is tracked upstream, .gitignore or not
        ["commit", "-q", "--no-verify", "--no-gpg-sign", "-m", f"{entry.repo}@{entry.commit}"],
    ):
        subprocess.run(["git", *args], cwd=dest, env=env, capture_output=True, check=True)
    return paths


def govkit_command() -> list[str]:
    """The `govkit` console script of this interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "govkit"
    found = str(beside) if beside.is_file() else shutil.which("govkit")
    if found is None:
        raise CorpusError("no govkit on PATH: run through `nox -s audit_corpus` or `uv run`")
    return [found]


def cli_audit(root: Path) -> dict[str, Any]:
    """`govkit audit ROOT --format json`, exactly as a user runs it."""
    result = subprocess.run(
        [*govkit_command(), "audit", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise CorpusError(f"govkit audit {root} exited {result.returncode}: {last}")
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise CorpusError(f"govkit audit {root}: not JSON ({error})") from None
    return report


def findings_of(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Every finding of a failing check that reports KIND."""
    return [
        {**finding, "check": check.get("id")}
        for check in report.get("checks", [])
        if check.get("status") == "fail" and kind in (check.get("kinds") or ())
        for finding in check.get("findings") or ()
    ]


def _at(label: Label, finding: dict[str, Any]) -> bool:
    path = finding.get("path")
    if label.file is None:
        return True
    if label.file == ".":
        return path in (None, ".", "")
    if path is None:
        return False
    if label.file.endswith("/"):
        return bool(path == label.file.rstrip("/") or path.startswith(label.file))
    if path != label.file:
        return False
    if label.line is None:
        return True
    line = finding.get("line")
    return line is not None and abs(int(line) - label.line) <= LINE_SLACK


def reported(label: Label, report: dict[str, Any]) -> bool:
    return any(_at(label, f) for f in findings_of(report, label.kind))


def violation(label: Label, report: dict[str, Any]) -> dict[str, Any] | None:
    """The finding that contradicts the non-problem LABEL, if any."""
    for finding in findings_of(report, label.kind):
        if finding.get("path") is None or _at(label, finding):
            return finding
    return None


def said(report: dict[str, Any], kind: str) -> str:
    """What the audit said about KIND: the checks that report it, their status and locations."""
    parts = []
    for check in report.get("checks", []):
        if kind not in (check.get("kinds") or ()):
            continue
        status = check.get("status")
        if status == "fail":
            where = sorted(
                {
                    f"{f.get('path') or '(no path)'}:{f.get('line') or '-'}"
                    for f in check["findings"]
                }
            )
            more = f" +{len(where) - 3}" if len(where) > 3 else ""
            parts.append(f"{check.get('id')} fails at {', '.join(where[:3])}{more}")
        else:
            reason = str(check.get("message") or "").splitlines()[:1]
            parts.append(f"{check.get('id')} {status}{': ' + reason[0] if reason else ''}")
    return "; ".join(parts) or "no check reports this kind"


def evaluate(entry: Entry, report: dict[str, Any]) -> Result:
    result = Result(entry, score=report.get("score"), adoption=report.get("adoption"))
    for label in entry.true_problems:
        if reported(label, report):
            result.reported.append(label)
        else:
            result.missed.append((label, said(report, label.kind)))
    for label in entry.non_problems:
        found = violation(label, report)
        if found is not None:
            where = f"{found.get('path') or '(no path)'}:{found.get('line') or '-'}"
            text = str(found.get("message", "")).splitlines()[:1]
            result.violated.append((label, f"{found['check']} at {where}: {' '.join(text)}"))
    return result


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of VALUES, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the (average) ranks; exact with ties."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("spearman needs two sequences of the same length, at least 2")
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return 0.0  # every score equal: the ordering says nothing
    return float(cov / (vx * vy) ** 0.5)


@dataclass
class Summary:
    results: list[Result]
    rho: dict[str, float]  # ordering name -> rho of the health scores against it
    failures: list[str]

    @property
    def reported(self) -> int:
        return sum(len(r.reported) for r in self.results)

    @property
    def total_true(self) -> int:
        return sum(len(r.entry.true_problems) for r in self.results)

    @property
    def violated(self) -> int:
        return sum(len(r.violated) for r in self.results)

    @property
    def total_non(self) -> int:
        return sum(len(r.entry.non_problems) for r in self.results)

    @property
    def recall(self) -> float:
        return self.reported / self.total_true if self.total_true else 1.0

    @property
    def precision(self) -> float | None:
        judged = self.reported + self.violated
        return self.reported / judged if judged else None  # nothing reported: undefined


def score_rho(results: Sequence[Result], ordering: Sequence[str]) -> float | None:
    """rho of the health scores (higher = more mature) against ORDERING (most mature first)."""
    by_name = {r.entry.name: r.score for r in results}
    names = [n for n in ordering if n in by_name]
    if len(names) < 2 or len(names) != len(by_name):
        return None
    scores = [by_name[n] for n in names]
    if any(s is None for s in scores):
        return None
    return spearman([-float(s) for s in scores if s is not None], list(range(1, len(names) + 1)))


def run_corpus(
    entries: Sequence[Entry],
    mirror: Path,
    ranking: dict[str, list[str]],
    audit: Audit = cli_audit,
    workdir: Path | None = None,
) -> Summary:
    """Materialise, audit and evaluate every entry; the orderings only when all ran."""
    gits = {}
    missing = []
    for entry in entries:  # every missing copy named before any audit runs
        try:
            gits[entry.name] = mirror_git_dir(mirror, entry.repo)
        except CorpusError as error:
            missing.append(str(error))
    if missing:
        return Summary([], {}, missing)
    results: list[Result] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="govkit-corpus-") as tmp:
        base = workdir or Path(tmp)
        for entry in entries:
            dest = base / entry.name
            if dest.exists():
                shutil.rmtree(dest)
            try:
                materialise(entry, gits[entry.name], dest)
                result = evaluate(entry, audit(dest))
            except CorpusError as error:
                failures.append(str(error))
                continue
            results.append(result)
            failures += [
                f"{entry.name}: MISSED {label.kind} at {label.where()} ({why})"
                for label, why in result.missed
            ]
            failures += [
                f"{entry.name}: VIOLATED non-problem {label.kind} at {label.where()} by {why}"
                for label, why in result.violated
            ]
    rho: dict[str, float] = {}
    if len(results) == len(entries) >= 2:  # an ordering of a subset or one entry says nothing
        for name, ordering in ranking.items():
            value = score_rho(results, ordering)
            if value is not None:
                rho[name] = value
        maturity = rho.get("maturity")
        if maturity is None and "maturity" in ranking:
            failures.append(
                "the health scores cannot be set against the maturity ranking "
                "(an entry has no score or no rank)"
            )
        elif maturity is not None and maturity < MIN_RHO:
            order = sorted(results, key=lambda r: -(r.score or 0))
            failures.append(
                f"Spearman rho {maturity:.2f} < {MIN_RHO} between the health scores and "
                f"RANKING.yml's maturity ranking (scores: "
                + ", ".join(f"{r.entry.name} {r.score}" for r in order)
                + ")"
            )
    return Summary(results, rho, failures)


def per_kind(results: Sequence[Result]) -> dict[str, dict[str, int]]:
    """For each kind: true problems reported / total, non-problems violated / total."""
    table: dict[str, dict[str, int]] = {}

    def row(kind: str) -> dict[str, int]:
        return table.setdefault(kind, {"reported": 0, "true": 0, "violated": 0, "non": 0})

    for r in results:
        for label in r.entry.true_problems:
            row(label.kind)["true"] += 1
        for label in r.reported:
            row(label.kind)["reported"] += 1
        for label in r.entry.non_problems:
            row(label.kind)["non"] += 1
        for label, _ in r.violated:
            row(label.kind)["violated"] += 1
    return dict(sorted(table.items()))


def render(summary: Summary, ranking: dict[str, list[str]]) -> str:
    position = {key: {n: i + 1 for i, n in enumerate(v)} for key, v in ranking.items()}
    lines = [
        f"{'entry':24} {'kind':10} {'true':>7} {'non viol':>9} {'health':>6} {'adopt':>5} "
        f"{'mature':>6} {'rr':>3}"
    ]
    for r in summary.results:
        name = r.entry.name
        lines.append(
            f"{name:24} {r.entry.kind[:10]:10} "
            f"{len(r.reported):>3}/{len(r.entry.true_problems):<3} "
            f"{len(r.violated):>4}/{len(r.entry.non_problems):<4} "
            f"{_num(r.score):>6} {_num(r.adoption):>5} "
            f"{_num(position.get('maturity', {}).get(name)):>6} "
            f"{_num(position.get('repo_review', {}).get(name)):>3}"
        )
    lines += ["", f"{'kind':26} {'true reported':>13} {'non violated':>12}"]
    for kind, row in per_kind(summary.results).items():
        lines.append(
            f"{kind:26} {row['reported']:>6}/{row['true']:<6} {row['violated']:>5}/{row['non']:<6}"
        )
    lines += [
        "",
        f"recall    {summary.reported}/{summary.total_true} = {summary.recall:.3f}",
        f"precision {summary.reported}/{summary.reported + summary.violated} = "
        f"{_ratio(summary.precision)} ({summary.violated} of {summary.total_non} non-problems "
        "violated)",
    ]
    for key, value in summary.rho.items():
        lines.append(f"spearman  health score vs {key}: {value:.3f}")
    return "\n".join(lines) + "\n"


def render_markdown(summary: Summary, ranking: dict[str, list[str]]) -> str:
    """The tables docs/audit.md records: per entry, per kind, and the totals."""
    position = {key: {n: i + 1 for i, n in enumerate(v)} for key, v in ranking.items()}
    lines = [
        "| repository | kind | true problems reported | non-problems violated | health "
        "| adoption | maturity rank | repo-review rank |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in summary.results:
        name = r.entry.name
        lines.append(
            f"| `{name}` ({r.entry.repo}) | {r.entry.kind} "
            f"| {len(r.reported)}/{len(r.entry.true_problems)} "
            f"| {len(r.violated)}/{len(r.entry.non_problems)} | {_num(r.score)} "
            f"| {_num(r.adoption)} | {_num(position.get('maturity', {}).get(name))} "
            f"| {_num(position.get('repo_review', {}).get(name))} |"
        )
    lines += [
        "",
        "| kind | true problems reported | non-problems violated |",
        "| --- | ---: | ---: |",
    ]
    for kind, row in per_kind(summary.results).items():
        lines.append(
            f"| `{kind}` | {row['reported']}/{row['true']} | {row['violated']}/{row['non']} |"
        )
    lines += [
        "",
        f"- recall: {summary.reported}/{summary.total_true} = {summary.recall:.3f}",
        f"- precision: {summary.reported}/{summary.reported + summary.violated} = "
        f"{_ratio(summary.precision)} ({summary.violated} of {summary.total_non} non-problems "
        "violated)",
    ]
    lines += [f"- Spearman rho, health score vs {k}: {v:.3f}" for k, v in summary.rho.items()]
    return "\n".join(lines) + "\n"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _num(value: object) -> str:
    return "-" if value is None else str(value)


def as_json(summary: Summary) -> dict[str, Any]:
    return {
        "entries": [
            {
                "name": r.entry.name,
                "repo": r.entry.repo,
                "commit": r.entry.commit,
                "kind": r.entry.kind,
                "score": r.score,
                "adoption": r.adoption,
                "true_reported": len(r.reported),
                "true_total": len(r.entry.true_problems),
                "non_violated": len(r.violated),
                "non_total": len(r.entry.non_problems),
                "missed": [f"{m.kind} at {m.where()} ({why})" for m, why in r.missed],
                "violated": [f"{m.kind} at {m.where()} by {why}" for m, why in r.violated],
            }
            for r in summary.results
        ],
        "kinds": per_kind(summary.results),
        "recall": summary.recall,
        "precision": summary.precision,
        "spearman": summary.rho,
        "failures": summary.failures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corpus", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="entries to run (default: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the labels' folder")
    parser.add_argument(
        "--mirror",
        type=Path,
        default=Path(os.environ.get("GOVKIT_CORPUS_MIRROR") or DEFAULT_MIRROR),
        help="the folder of fetched copies, OWNER+NAME/repo (env GOVKIT_CORPUS_MIRROR)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write docs/audit.md's tables"
    )
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="materialise the snapshots in DIR and keep them"
    )
    args = parser.parse_args(argv)
    try:
        entries = load_entries(args.corpus, args.names)
        ranking = load_ranking(args.corpus)
    except (CorpusError, OSError, yaml.YAMLError) as error:
        sys.stderr.write(f"corpus: {error}\n")
        return 2
    if args.keep and (args.keep.resolve() == ROOT or ROOT in args.keep.resolve().parents):
        sys.stderr.write("corpus: --keep must be outside this repository (no fetched code here)\n")
        return 2
    summary = run_corpus(entries, args.mirror, ranking, workdir=args.keep)
    sys.stdout.write(render(summary, ranking))
    if args.json:
        args.json.write_text(json.dumps(as_json(summary), indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(render_markdown(summary, ranking), encoding="utf-8")
    sys.stderr.writelines(f"corpus: {line}\n" for line in summary.failures)
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
