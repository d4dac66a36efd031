"""Self-contained static HTML from audit JSON: one repository's page and a fleet's report.

Both read the audit's JSON (not the in-memory ``Audit``), so a page can be drawn from any
``govkit audit --format json`` file, today's or an older one: only ``score`` and
``checks[*].id/status`` are required, everything else is shown when present. The pages carry
their styles, script and charts inline and a Content-Security-Policy that forbids any fetch.
"""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from govkit import __version__
from govkit.audit import Audit
from govkit.audit.backlog import HORIZONS
from govkit.audit.formats import FAMILY_ORDER, as_json
from govkit.fleet.index import (
    INDEX,
    index_audits,
    now,
    read_history,
    read_index,
    read_json,
    write_atomically,
    write_index,
)
from govkit.report.svg import gauge, score_colour, sparkline, trend_chart

MOST_FAILING = 15

_ENV = Environment(
    loader=PackageLoader("govkit.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals.update(gauge=gauge, sparkline=sparkline, score_colour=score_colour)


def family_key(family: str) -> tuple[int, str]:
    return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), family)


def _score(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def repo_view(audit: dict[str, Any], name: str) -> dict[str, Any]:
    """What one repository's page shows, from its audit JSON."""
    checks = sorted(audit.get("checks", []), key=lambda c: str(c.get("id")))
    families: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        families.setdefault(str(check.get("family") or "other"), []).append(check)
    failing = [c for c in checks if c.get("status") == "fail"]
    backlog = [
        (heading, [c for c in failing if c.get("severity", "P2") == priority])
        for priority, heading in HORIZONS
    ]
    return {
        "name": name,
        "root": audit.get("root", name),
        "health": _score(audit.get("score")),
        "adoption": _score(audit.get("adoption")),
        "version": audit.get("govkit_version", "unknown"),
        "snapshot": audit.get("snapshot") or {},
        "families": [
            {
                "name": family,
                "checks": members,
                "counts": Counter(str(c.get("status")) for c in members),
            }
            for family, members in sorted(families.items(), key=lambda f: family_key(f[0]))
        ],
        "failing": failing,
        "backlog": backlog,
    }


def render_audit_html(audit: Audit) -> str:
    """``govkit audit --format html``."""
    return render_audit_page(as_json(audit), Path(audit.root).name)


def render_audit_page(audit: dict[str, Any], name: str) -> str:
    """One repository: both scores, the families with the failing checks' fixes, the backlog."""
    return _ENV.get_template("repo.html.j2").render(
        repo=repo_view(audit, name), generated=now(), version=__version__, fleet=None
    )


def _trends(history: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, list[int | None]]]:
    """The fleet's mean scores per run, and each repository's health per run (None: absent)."""
    runs = [str(run["audited_at"]) for run in history]
    health: list[float | None] = []
    adoption: list[float | None] = []
    per_repo: dict[str, list[int | None]] = {}
    for number, run in enumerate(history):
        audited = [r for r in run["repositories"] if r["status"] == "audited"]
        health.append(round(statistics.fmean(r["health"] for r in audited), 1) if audited else None)
        scores = [r["adoption"] for r in audited if r["adoption"] is not None]
        adoption.append(round(statistics.fmean(scores), 1) if scores else None)
        for repo in audited:
            per_repo.setdefault(repo["name"], [None] * len(history))[number] = repo["health"]
    series: dict[str, list[float | None]] = {"mean health": health}
    if any(v is not None for v in adoption):
        series["mean adoption"] = adoption
    chart = trend_chart(runs, series, f"Fleet scores over {len(runs)} runs")
    return {"runs": runs, "chart": chart, "series": series}, per_repo


def _most_failing(audits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The checks failing in the most repositories, each with the repositories (their fixes)."""
    found: dict[str, dict[str, Any]] = {}
    for name, audit in sorted(audits.items()):
        for check in audit.get("checks", []):
            if check.get("status") != "fail":
                continue
            entry = found.setdefault(
                str(check["id"]),
                {
                    "id": str(check["id"]),
                    "title": check.get("title", ""),
                    "family": check.get("family", "other"),
                    "severity": check.get("severity", ""),
                    "repos": [],
                },
            )
            entry["repos"].append(name)
    ranked = sorted(found.values(), key=lambda e: (-len(e["repos"]), e["id"]))
    return ranked[:MOST_FAILING]


def fleet_index(folder: Path) -> dict[str, Any]:
    """FOLDER's index.json, or a new one over the audit JSON files gathered there (CI)."""
    if (folder / INDEX).is_file():
        return read_index(folder)
    index = index_audits(folder)
    write_index(folder, index)
    return index


def write_fleet_report(folder: Path) -> Path:
    """``index.html`` (the fleet) and ``<name>.html`` (each repository) in FOLDER."""
    index = fleet_index(folder)
    audited = [r for r in index["repositories"] if r["status"] == "audited"]
    audits: dict[str, dict[str, Any]] = {}
    for repo in audited:
        audits[repo["name"]] = audit = read_json(folder / repo["file"])
        page = _ENV.get_template("repo.html.j2").render(
            repo=repo_view(audit, repo["name"]),
            generated=now(),
            version=__version__,
            fleet=INDEX.replace(".json", ".html"),
        )
        write_atomically(folder / f"{repo['name']}.html", page)
    history = read_history(folder) or [index]
    trend, per_repo = _trends(history)
    families = sorted({f for r in audited for f in r["families"]}, key=family_key)
    rows = [
        {
            **repo,
            "failing_count": sum(len(ids) for ids in repo["failing"].values()),
            "spark": sparkline(per_repo.get(repo["name"], [repo["health"]]), "health per run"),
        }
        for repo in audited
    ]
    html = _ENV.get_template("fleet.html.j2").render(
        index=index,
        rows=sorted(rows, key=lambda r: (r["health"], r["name"])),
        unauditable=[r for r in index["repositories"] if r["status"] == "unauditable"],
        families=families,
        most_failing=_most_failing(audits),
        trend=trend,
        generated=now(),
        version=__version__,
    )
    target = folder / "index.html"
    write_atomically(target, html)
    return target
