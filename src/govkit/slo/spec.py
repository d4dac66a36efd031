"""Load and validate an SLO specification (policies/slo.yaml) into typed values.

The JSON Schema next to this module checks the shape; :func:`parse` then checks what a schema
cannot say (unique names, objectives the burn-rate alerts can reach). Every problem is one line
that names the field, e.g. ``slos[1].objective: 120 is greater than or equal to the maximum
of 100``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError, best_match

from govkit.errors import UsageError

# The fastest burn factor alerts use (SRE Workbook, 30-day window): 14.4 x budget must stay < 1,
# otherwise the page could never fire however bad things get.
FASTEST_BURN = Decimal("14.4")
# Burn-rate alerts of a ratio or latency SLO, fastest first: <alert_prefix><suffix>.
BURN_ALERT_SUFFIXES = ("FastBurn", "SlowBurn", "BudgetTicket")


@dataclass(frozen=True)
class RatioSli:
    """Bad events / all events of one counter: ``bad_matchers`` narrow ``matchers``."""

    metric: str
    matchers: tuple[str, ...]
    bad_matchers: tuple[str, ...]


@dataclass(frozen=True)
class LatencySli:
    """Requests slower than ``threshold_seconds`` / all requests, from a histogram's buckets."""

    histogram: str
    matchers: tuple[str, ...]
    threshold_seconds: Decimal


@dataclass(frozen=True)
class FreshnessSli:
    """Share of time in which the age gauge stayed at or below ``threshold_seconds``."""

    age_metric: str
    matchers: tuple[str, ...]
    threshold_seconds: int


Sli = RatioSli | LatencySli | FreshnessSli


@dataclass(frozen=True)
class Slo:
    name: str
    title: str
    description: str
    objective: Decimal  # percent, e.g. Decimal("99.5")
    owner: str
    runbook: str
    sli: Sli
    alert_prefix: str | None = None  # ratio and latency SLOs: burn-rate alerts
    alert: str | None = None  # freshness SLOs: one threshold alert
    alert_for: str | None = None

    @property
    def error_budget(self) -> Decimal:
        """Allowed share of bad events, e.g. 0.005 for 99.5 %."""
        return (Decimal(100) - self.objective) / Decimal(100)


@dataclass(frozen=True)
class ThresholdAlert:
    """An alert outside the SLOs: ``max(metric{matchers}) > above`` for ``alert_for``."""

    alert: str
    title: str
    description: str
    metric: str
    matchers: tuple[str, ...]
    above: Decimal
    alert_for: str
    severity: str
    owner: str
    runbook: str


@dataclass(frozen=True)
class TargetAlert:
    """A scrape job whose target is down (``up == 0``) or gone (``absent(up)``)."""

    job: str
    alert: str
    title: str
    alert_for: str
    severity: str
    owner: str
    runbook: str


@dataclass(frozen=True)
class SloSpec:
    service: str
    window: str
    owner: str
    runbook_base_url: str
    slos: tuple[Slo, ...]
    alerts: tuple[ThresholdAlert, ...] = ()
    targets: tuple[TargetAlert, ...] = ()


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of slo.yaml (also usable by editors and check-jsonschema)."""
    text = resources.files("govkit.slo").joinpath("slo.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load(path: Path) -> SloSpec:
    """Read, validate and parse an SLO file; any problem raises UsageError naming the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read ({error.strerror})") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise UsageError(f"{path}: {where}{problem}") from error
    try:
        return parse(data)
    except UsageError as error:
        raise UsageError(f"{path}: {error}") from error


def _field(error: ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.removeprefix(".") or "(top level)"


def _best(error: ValidationError) -> ValidationError:
    """Descend if/then and allOf wrappers to the most specific cause."""
    while error.context:
        error = best_match(error.context) or error
    return error


def _position(error: ValidationError) -> tuple[tuple[int, int | str], ...]:
    """Sort key: list items in document order, and a field's own errors before its parent's."""
    parts = [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path]
    return (*parts, (2, 0))


def validate(data: object) -> None:
    """Schema validation: raise UsageError with one line naming the first broken field."""
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=_position)
    if errors:
        first = [e for e in errors if _position(e) == _position(errors[0])]
        error = _best(best_match(first) or errors[0])
        raise UsageError(f"{_field(error)}: {error.message}")


def _sli(raw: dict[str, Any]) -> Sli:
    matchers = tuple(raw["matchers"])
    if raw["kind"] == "ratio":
        return RatioSli(raw["metric"], matchers, tuple(raw["bad_matchers"]))
    if raw["kind"] == "latency":
        return LatencySli(raw["histogram"], matchers, Decimal(str(raw["threshold_seconds"])))
    return FreshnessSli(raw["age_metric"], matchers, int(raw["threshold_seconds"]))


def parse(data: object) -> SloSpec:
    """Validate ``data`` (the loaded YAML) and return the typed specification."""
    validate(data)
    assert isinstance(data, dict)  # guaranteed by the schema
    slos: list[Slo] = []
    for index, raw in enumerate(data["slos"]):
        slo = Slo(
            name=raw["name"],
            title=raw["title"],
            description=raw["description"],
            objective=Decimal(str(raw["objective"])),
            owner=raw.get("owner", data["owner"]),
            runbook=raw["runbook"],
            sli=_sli(raw["sli"]),
            alert_prefix=raw.get("alert_prefix"),
            alert=raw.get("alert"),
            alert_for=raw.get("alert_for"),
        )
        _check_semantics(f"slos[{index}]", slo, slos)
        slos.append(slo)
    taken = {name for slo in slos for name in alert_names(slo)}
    alerts = tuple(
        ThresholdAlert(
            alert=_unique(f"alerts[{index}].alert", raw["alert"], taken),
            title=raw["title"],
            description=raw["description"],
            metric=raw["metric"],
            matchers=tuple(raw["matchers"]),
            above=Decimal(str(raw["above"])),
            alert_for=raw["for"],
            severity=raw["severity"],
            owner=raw.get("owner", data["owner"]),
            runbook=raw["runbook"],
        )
        for index, raw in enumerate(data.get("alerts", []))
    )
    jobs: set[str] = set()
    targets: list[TargetAlert] = []
    for index, raw in enumerate(data.get("targets", [])):
        if raw["job"] in jobs:
            raise UsageError(f"targets[{index}].job: duplicate scrape job {raw['job']!r}")
        jobs.add(raw["job"])
        targets.append(
            TargetAlert(
                job=raw["job"],
                alert=_unique(f"targets[{index}].alert", raw["alert"], taken),
                title=raw["title"],
                alert_for=raw["for"],
                severity=raw.get("severity", "page"),
                owner=raw.get("owner", data["owner"]),
                runbook=raw["runbook"],
            )
        )
    return SloSpec(
        service=data["service"],
        window=data["window"],
        owner=data["owner"],
        runbook_base_url=data["runbook_base_url"],
        slos=tuple(slos),
        alerts=alerts,
        targets=tuple(targets),
    )


def _unique(where: str, name: str, taken: set[str]) -> str:
    """``name``, added to ``taken``; a UsageError when another rule already uses it."""
    if name in taken:
        raise UsageError(f"{where}: alert {name!r} is already defined elsewhere")
    taken.add(name)
    return name


def alert_names(slo: Slo) -> tuple[str, ...]:
    """Every alert the renderer writes for ``slo``, in rendering order."""
    if slo.alert is not None:
        return (slo.alert,)
    return tuple(f"{slo.alert_prefix}{suffix}" for suffix in BURN_ALERT_SUFFIXES)


def _check_semantics(where: str, slo: Slo, earlier: list[Slo]) -> None:
    if any(other.name == slo.name for other in earlier):
        raise UsageError(f"{where}.name: duplicate SLO name {slo.name!r}")
    taken = {name for other in earlier for name in alert_names(other)}
    for name in alert_names(slo):
        if name in taken:
            field = "alert" if slo.alert else "alert_prefix"
            raise UsageError(f"{where}.{field}: alert {name!r} is already defined by another SLO")
    if isinstance(slo.sli, FreshnessSli):
        if slo.alert_prefix is not None:
            raise UsageError(
                f"{where}.alert_prefix: a freshness SLO has one threshold alert; name it in `alert`"
            )
        return
    if slo.alert is not None or slo.alert_for is not None:
        field = "alert" if slo.alert is not None else "alert_for"
        raise UsageError(
            f"{where}.{field}: only freshness SLOs have a threshold alert; "
            "ratio and latency SLOs get burn-rate alerts named by `alert_prefix`"
        )
    if FASTEST_BURN * slo.error_budget >= 1:
        raise UsageError(
            f"{where}.objective: {slo.objective} leaves an error budget so large that a "
            f"{FASTEST_BURN}x burn exceeds 100 % of events; use an objective of at least 93.1"
        )
    if isinstance(slo.sli, LatencySli) and any(
        m.split("=")[0].rstrip("!~") == "le" for m in slo.sli.matchers
    ):
        raise UsageError(f"{where}.sli.matchers: do not match `le`; the renderer adds it")
