"""policies/slo.yaml validation: the schema, the rules a schema cannot say, one-line errors."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.errors import UsageError
from govkit.slo import load, parse
from govkit.slo.spec import FreshnessSli, LatencySli, RatioSli, alert_names

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "slo.yaml"


def valid() -> dict[str, Any]:
    return {
        "version": 1,
        "service": "pricing-service",
        "window": "30d",
        "owner": "@acme/pricing-backend",
        "runbook_base_url": "https://example.org/repo/blob/main/",
        "slos": [
            {
                "name": "api-availability",
                "title": "API availability",
                "description": "share of requests without a 5xx",
                "objective": 99.5,
                "runbook": "runbooks/api-degraded.md",
                "alert_prefix": "PricingApiAvailability",
                "sli": {
                    "kind": "ratio",
                    "metric": "http_requests_total",
                    "matchers": ['job="pricing-service"'],
                    "bad_matchers": ['status_class="5xx"'],
                },
            },
            {
                "name": "api-latency",
                "title": "API latency",
                "description": "share of requests within 250 ms",
                "objective": 95,
                "owner": "@acme/identity",
                "runbook": "runbooks/api-degraded.md",
                "alert_prefix": "PricingApiLatency",
                "sli": {
                    "kind": "latency",
                    "histogram": "http_request_duration_seconds",
                    "matchers": [],
                    "threshold_seconds": 0.25,
                },
            },
            {
                "name": "ml-sync-freshness",
                "title": "ML sync freshness",
                "description": "the oldest pending change",
                "objective": 99,
                "runbook": "runbooks/ml-sync-delayed.md",
                "alert": "MlSyncFreshnessBreached",
                "alert_for": "5m",
                "sli": {
                    "kind": "freshness",
                    "age_metric": "pricing_sync_oldest_pending_age_seconds",
                    "matchers": ['job="pricing-service"'],
                    "threshold_seconds": 900,
                },
            },
        ],
        "alerts": [
            {
                "alert": "MlSyncItemsRejected",
                "title": "ML sync items rejected",
                "description": "products the marketplace refused for good",
                "metric": "pricing_sync_rejected_products",
                "matchers": ['job="pricing-service"'],
                "above": 0,
                "for": "15m",
                "severity": "ticket",
                "runbook": "runbooks/ml-sync-delayed.md",
            }
        ],
        "targets": [
            {
                "job": "pricing-service",
                "alert": "PricingApiTargetDown",
                "title": "Pricing API",
                "for": "5m",
                "runbook": "runbooks/api-degraded.md",
            }
        ],
    }


def error_of(data: object) -> str:
    with pytest.raises(UsageError) as caught:
        parse(data)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_repository_policy_is_valid() -> None:
    spec = load(POLICY)
    assert spec.service == "pricing-service"
    assert [slo.name for slo in spec.slos] == [
        "api-availability",
        "api-latency",
        "ml-sync-freshness",
    ]
    latency = spec.slos[1].sli
    assert isinstance(latency, LatencySli)
    # The service's histogram has a bucket exactly at this bound (see observability/metrics.py).
    assert latency.threshold_seconds == Decimal("0.25")


def test_parse_builds_typed_values_with_owner_fallback_and_exact_budgets() -> None:
    spec = parse(valid())
    availability, latency, freshness = spec.slos
    assert isinstance(availability.sli, RatioSli)
    assert isinstance(latency.sli, LatencySli)
    assert isinstance(freshness.sli, FreshnessSli)
    assert availability.owner == "@acme/pricing-backend"
    assert latency.owner == "@acme/identity"
    assert availability.error_budget == Decimal("0.005")  # exact, not 0.0050000000000000044
    assert alert_names(availability) == (
        "PricingApiAvailabilityFastBurn",
        "PricingApiAvailabilitySlowBurn",
        "PricingApiAvailabilityBudgetTicket",
    )
    assert alert_names(freshness) == ("MlSyncFreshnessBreached",)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("window",), "7d", "window: '7d' is not one of ['30d']"),
        (("slos", 0, "objective"), 100, "slos[0].objective: 100 is greater than or equal to"),
        (("slos", 0, "objective"), "99.5", "slos[0].objective: '99.5' is not of type 'number'"),
        (("slos", 1, "sli", "threshold_seconds"), 0, "slos[1].sli.threshold_seconds: 0 is less"),
        (("slos", 0, "runbook"), "docs/x.md", "slos[0].runbook: 'docs/x.md' does not match"),
        (("slos", 0, "owner"), "pricing", "slos[0].owner: 'pricing' does not match"),
        (("slos", 0, "sli", "kind"), "quantile", "slos[0].sli.kind: 'quantile' is not one of"),
        (("slos", 2, "sli", "matchers"), ["job=pricing"], "slos[2].sli.matchers[0]: 'job=pricing'"),
        (("runbook_base_url",), "http://x/", "runbook_base_url: 'http://x/' does not match"),
    ],
)
def test_schema_errors_name_the_field(
    path: tuple[str | int, ...], value: object, expected: str
) -> None:
    data = valid()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert error_of(data).startswith(expected)


def test_missing_and_unknown_fields_are_named() -> None:
    data = valid()
    del data["slos"][0]["objective"]
    assert error_of(data) == "slos[0]: 'objective' is a required property"
    data = valid()
    data["slos"][2]["sli"]["histogram"] = "x"
    assert error_of(data).startswith("slos[2].sli: Additional properties are not allowed")
    data = valid()
    del data["slos"][2]["alert"]
    assert error_of(data) == "slos[2]: 'alert' is a required property"
    assert error_of([]) == "(top level): [] is not of type 'object'"


def test_the_first_problem_in_document_order_is_reported() -> None:
    data = valid()
    data["slos"][2]["sli"]["kind"] = "fresh"  # also makes slos[2] miss alert_prefix
    assert error_of(data).startswith("slos[2].sli.kind: 'fresh' is not one of")
    data["slos"][0]["objective"] = 150
    assert error_of(data).startswith("slos[0].objective: 150 is greater than or equal")


def test_semantic_errors() -> None:
    data = valid()
    data["slos"][1]["name"] = "api-availability"
    assert error_of(data) == "slos[1].name: duplicate SLO name 'api-availability'"

    data = valid()
    data["slos"][1]["alert_prefix"] = "PricingApiAvailability"
    assert error_of(data).startswith("slos[1].alert_prefix: alert 'PricingApiAvailabilityFastBurn'")

    data = valid()
    data["slos"][0]["objective"] = 93  # 14.4 x 7 % > 100 %: the fast page could never fire
    assert error_of(data).startswith("slos[0].objective: 93 leaves an error budget so large")

    data = valid()
    data["slos"][0]["alert"] = "Extra"
    assert error_of(data).startswith("slos[0].alert: only freshness SLOs have a threshold alert")

    data = valid()
    data["slos"][2]["alert_prefix"] = "Sync"
    assert error_of(data).startswith("slos[2].alert_prefix: a freshness SLO has one threshold")

    data = valid()
    data["slos"][1]["sli"]["matchers"] = ['le="0.5"']
    assert error_of(data) == "slos[1].sli.matchers: do not match `le`; the renderer adds it"


def test_alerts_and_targets_are_parsed_and_optional() -> None:
    spec = parse(valid())
    [rejected] = spec.alerts
    assert (rejected.alert, rejected.metric, rejected.above, rejected.severity) == (
        "MlSyncItemsRejected",
        "pricing_sync_rejected_products",
        Decimal(0),
        "ticket",
    )
    assert rejected.owner == "@acme/pricing-backend"
    [api] = spec.targets
    assert (api.job, api.alert, api.alert_for, api.owner) == (
        "pricing-service",
        "PricingApiTargetDown",
        "5m",
        "@acme/pricing-backend",
    )
    bare = valid()
    del bare["alerts"], bare["targets"]
    assert parse(bare).alerts == ()
    assert parse(bare).targets == ()


def test_alert_names_are_unique_across_slos_alerts_and_targets() -> None:
    data = valid()
    data["targets"][0]["alert"] = "MlSyncFreshnessBreached"
    assert error_of(data) == (
        "targets[0].alert: alert 'MlSyncFreshnessBreached' is already defined elsewhere"
    )
    data = valid()
    data["alerts"][0]["alert"] = "PricingApiLatencyFastBurn"
    assert error_of(data) == (
        "alerts[0].alert: alert 'PricingApiLatencyFastBurn' is already defined elsewhere"
    )
    data = valid()
    data["targets"].append({**data["targets"][0], "alert": "Other"})
    assert error_of(data) == "targets[1].job: duplicate scrape job 'pricing-service'"
    data = valid()
    data["alerts"][0]["severity"] = "loud"
    assert error_of(data).startswith("alerts[0].severity: 'loud' is not one of")
    data = valid()
    data["targets"][0]["job"] = "Bad Job"
    assert error_of(data).startswith("targets[0].job: 'Bad Job' does not match")


def test_load_reports_file_problems_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"missing\.yaml: cannot read"):
        load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("service: [unclosed\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"broken\.yaml: line 2: "):
        load(broken)
    wrong = tmp_path / "wrong.yaml"
    data = copy.deepcopy(valid())
    data["version"] = 2
    wrong.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UsageError, match=r"wrong\.yaml: version: 1 was expected"):
        load(wrong)
