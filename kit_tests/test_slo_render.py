"""`govkit slo render`: the rules it writes, their determinism and the stale-file check."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.cli import main
from govkit.slo import load, parse, render
from govkit.slo.spec import LatencySli

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "slo.yaml"
RULES = ROOT / "ops" / "prometheus" / "pricing-service-slo.rules.yml"


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Work in tmp_path with a copy of the repository's slo.yaml at policies/slo.yaml."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "slo.yaml").write_text(POLICY.read_text("utf-8"), "utf-8")
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def rendered() -> dict[str, Any]:
    files = render(load(POLICY), "policies/slo.yaml", "ops/prometheus")
    assert list(files) == ["pricing-service-slo.rules.yml"]
    document: dict[str, Any] = yaml.safe_load(files["pricing-service-slo.rules.yml"])
    return document


def rules_of(group: str) -> dict[str, dict[str, Any]]:
    groups = {g["name"]: g["rules"] for g in rendered()["groups"]}
    return {rule.get("record", "") + rule.get("alert", ""): rule for rule in groups[group]}


def test_one_group_per_slo_with_ratio_rules_for_every_window() -> None:
    groups = rendered()["groups"]
    assert [g["name"] for g in groups] == [
        "slo:pricing-service:api-availability",
        "slo:pricing-service:api-latency",
        "slo:pricing-service:ml-sync-freshness",
        "alerts:pricing-service",
        "targets:pricing-service",
    ]
    for group in groups[:3]:
        records = [r["record"] for r in group["rules"] if "record" in r]
        windows = [r.removeprefix("slo:sli_error:ratio_rate") for r in records if "rate" in r]
        assert windows == ["5m", "30m", "1h", "6h", "3d"]
        assert all(r["labels"]["slo"] == group["name"].split(":")[-1] for r in group["rules"])


def test_burn_rate_alerts_follow_the_workbook() -> None:
    rules = rules_of("slo:pricing-service:api-availability")
    expected = {
        "PricingApiAvailabilityFastBurn": ("page", "14.4", "1h", "5m"),
        "PricingApiAvailabilitySlowBurn": ("page", "6", "6h", "30m"),
        "PricingApiAvailabilityBudgetTicket": ("ticket", "1", "3d", "6h"),
    }
    for name, (severity, factor, long_window, short_window) in expected.items():
        alert = rules[name]
        match = '{service="pricing-service",slo="api-availability"}'
        assert alert["expr"] == (
            f"slo:sli_error:ratio_rate{long_window}{match} > ({factor} * 0.005)\nand\n"
            f"slo:sli_error:ratio_rate{short_window}{match} > ({factor} * 0.005)"
        )
        assert alert["labels"] == {
            "severity": severity,
            "owner": "@acme/pricing-backend",
            "service": "pricing-service",
            "slo": "api-availability",
        }
        assert set(alert["annotations"]) == {"summary", "description", "runbook_url"}
        assert alert["annotations"]["runbook_url"].endswith("/runbooks/api-degraded.md")
        assert "for" not in alert  # the short window is the reset, as in the workbook


def test_sli_expressions() -> None:
    availability = rules_of("slo:pricing-service:api-availability")
    assert availability["slo:sli_error:ratio_rate5m"]["expr"] == (
        '(sum(rate(http_requests_total{job="pricing-service",route=~"/api/.*",'
        'status_class="5xx"}[5m])) or vector(0))\n/\n'
        'sum(rate(http_requests_total{job="pricing-service",route=~"/api/.*"}[5m]))'
    )
    latency = rules_of("slo:pricing-service:api-latency")["slo:sli_error:ratio_rate1h"]["expr"]
    assert 'http_request_duration_seconds_bucket{job="pricing-service",' in latency
    assert 'le="0.25"}[1h]' in latency
    assert 'http_request_duration_seconds_count{job="pricing-service",route=~"/api/.*"}[1h]' in (
        latency
    )
    freshness = rules_of("slo:pricing-service:ml-sync-freshness")
    assert freshness["slo:sli_error:bool"]["expr"] == (
        'max(pricing_sync_oldest_pending_age_seconds{job="pricing-service"}) > bool 900'
    )
    alert = freshness["MlSyncFreshnessBreached"]
    assert (
        alert["expr"] == 'max(pricing_sync_oldest_pending_age_seconds{job="pricing-service"}) > 900'
    )
    assert alert["for"] == "5m"
    assert alert["labels"]["severity"] == "page"
    assert alert["annotations"]["runbook_url"].endswith("/runbooks/ml-sync-delayed.md")


def test_every_scrape_job_has_a_target_down_alert() -> None:
    """``up == 0`` for an instance that stopped answering; ``absent`` for a job whose every
    target disappeared (no ``up`` series at all), which ``up == 0`` alone would never see."""
    rules = rules_of("targets:pricing-service")
    assert list(rules) == ["PricingApiTargetDown", "PricingSyncWorkerTargetDown"]
    for name, job, runbook in (
        ("PricingApiTargetDown", "pricing-service", "api-degraded.md"),
        ("PricingSyncWorkerTargetDown", "pricing-sync-worker", "ml-sync-delayed.md"),
    ):
        alert = rules[name]
        assert alert["expr"] == f'up{{job="{job}"}} == 0 or absent(up{{job="{job}"}})'
        assert alert["for"] == "5m"
        assert alert["labels"] == {
            "severity": "page",
            "owner": "@acme/pricing-backend",
            "service": "pricing-service",
            "job": job,
        }
        assert alert["annotations"]["runbook_url"].endswith(f"/runbooks/{runbook}")
        assert job in alert["annotations"]["description"]


def test_threshold_alerts_outside_the_slos() -> None:
    alert = rules_of("alerts:pricing-service")["MlSyncItemsRejected"]
    assert alert["expr"] == 'max(pricing_sync_rejected_products{job="pricing-service"}) > 0'
    assert alert["for"] == "15m"
    assert alert["labels"] == {
        "severity": "ticket",
        "owner": "@acme/pricing-backend",
        "service": "pricing-service",
    }
    assert alert["annotations"]["runbook_url"].endswith("/runbooks/ml-sync-delayed.md")
    assert set(alert["annotations"]) == {"summary", "description", "runbook_url"}


def test_latency_bucket_label_uses_the_client_float_format() -> None:
    data = yaml.safe_load(POLICY.read_text("utf-8"))
    data["slos"][1]["sli"]["threshold_seconds"] = 1
    spec = parse(data)
    assert isinstance(spec.slos[1].sli, LatencySli)
    text = render(spec, "slo.yaml", "out")["pricing-service-slo.rules.yml"]
    assert 'le="1.0"' in text  # prometheus-client writes 1.0, never 1


def test_output_is_deterministic_and_marked_generated() -> None:
    spec = load(POLICY)
    first = render(spec, "policies/slo.yaml", "ops/prometheus")
    assert first == render(load(POLICY), "policies/slo.yaml", "ops/prometheus")
    text = first["pricing-service-slo.rules.yml"]
    assert text.startswith("# Generated by govkit from policies/slo.yaml: do not edit.\n")
    assert "govkit slo render policies/slo.yaml -o ops/prometheus/" in text.splitlines()[1]
    assert "&id" not in text  # no YAML anchors


def test_committed_rules_are_up_to_date() -> None:
    files = render(load(POLICY), "policies/slo.yaml", "ops/prometheus")
    assert RULES.read_text("utf-8") == files[RULES.name], (
        "run `govkit slo render policies/slo.yaml -o ops/prometheus/`"
    )


def test_cli_render_then_check(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["slo", "render", "policies/slo.yaml", "-o", "ops/prometheus/"]
    assert main([*argv, "--check"]) == 1
    assert (
        "ops/prometheus/pricing-service-slo.rules.yml is stale: run `govkit slo render "
        "policies/slo.yaml -o ops/prometheus/`" in capsys.readouterr().out
    )
    assert not (in_tmp / "ops").exists()  # --check writes nothing

    assert main(argv) == 0
    assert (in_tmp / "ops/prometheus/pricing-service-slo.rules.yml").read_text("utf-8") == (
        RULES.read_text("utf-8")
    )
    assert main([*argv, "--check"]) == 0
    assert "up to date" in capsys.readouterr().out

    # Changing an objective without re-rendering fails the check.
    spec = in_tmp / "policies/slo.yaml"
    spec.write_text(spec.read_text("utf-8").replace("objective: 99.5", "objective: 99.9"), "utf-8")
    assert main([*argv, "--check"]) == 1
    assert "is stale" in capsys.readouterr().out


def test_cli_check_flags_and_render_removes_orphans(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["slo", "render", "policies/slo.yaml", "-o", "ops/prometheus"]
    assert main(argv) == 0
    orphan = in_tmp / "ops/prometheus/old-service-slo.rules.yml"
    orphan.write_text("# Generated by govkit from elsewhere: do not edit.\ngroups: []\n", "utf-8")
    handwritten = in_tmp / "ops/prometheus/extra.yml"
    handwritten.write_text("groups: []\n", "utf-8")
    capsys.readouterr()
    assert main([*argv, "--check"]) == 1
    assert "old-service-slo.rules.yml was generated but no longer is" in capsys.readouterr().out
    assert main(argv) == 0
    assert not orphan.exists()
    assert handwritten.exists()  # only files govkit generated are removed


def test_cli_bad_spec_is_one_line_and_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = in_tmp / "policies/slo.yaml"
    spec.write_text(spec.read_text("utf-8").replace("window: 30d", "window: 28d"), "utf-8")
    assert main(["slo", "render", "policies/slo.yaml", "-o", "out"]) == 2
    err = capsys.readouterr().err
    assert err == "govkit slo: policies/slo.yaml: window: '28d' is not one of ['30d']\n"
    assert not (in_tmp / "out").exists()
