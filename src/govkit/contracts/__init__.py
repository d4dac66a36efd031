"""The API contract diff: breaking changes between two OpenAPI documents, named as oasdiff does.

Python API (what ``nox -s contracts`` calls)::

    from govkit import contracts

    old = contracts.load_spec("contracts/openapi.json")
    findings = contracts.diff(old, app.openapi())       # list[Finding], breaking first
    if contracts.has_breaking(findings): ...
    sys.stdout.write(contracts.render_text(findings))
    contracts.write_spec(app.openapi(), "contracts/openapi.json")   # deterministic

The gate (``govkit contracts check``, ``nox -s contracts``) is ``contracts.gate``.
"""

from govkit.contracts.diff import diff
from govkit.contracts.files import dumps_spec, load_spec, write_spec
from govkit.contracts.findings import (
    Finding,
    Level,
    has_breaking,
    render_json,
    render_text,
    sorted_findings,
)
from govkit.contracts.spec import SpecError

__all__ = [
    "Finding",
    "Level",
    "SpecError",
    "diff",
    "dumps_spec",
    "has_breaking",
    "load_spec",
    "render_json",
    "render_text",
    "sorted_findings",
    "write_spec",
]
