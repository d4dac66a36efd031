"""SLOs as code: load policies/slo.yaml and render Prometheus rules from it."""

from govkit.slo.render import render, rules_file_name
from govkit.slo.spec import SloSpec, load, parse

__all__ = ["SloSpec", "load", "parse", "render", "rules_file_name"]
