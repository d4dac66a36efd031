"""policies/auth.md's OWASP ASVS 4.0.3 table stays true: every level-2 requirement of V2 and V3
has a row, each row says holds, not applicable or not yet, and every test a row names exists."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2]
POLICY = APP.parent / "policies" / "auth.md"
HEADING = "## OWASP ASVS 4.0.3, level 2"
STATUSES = {"holds", "not applicable", "not yet"}
# Level-2 requirements of ASVS 4.0.3 V2 and V3 (V2.2.4-V2.2.7 and V3.6 are level 3 only).
LEVEL_2 = (
    [f"2.1.{n}" for n in range(1, 13)]
    + ["2.2.1", "2.2.2", "2.2.3"]
    + [f"2.3.{n}" for n in range(1, 4)]
    + [f"2.4.{n}" for n in range(1, 6)]
    + [f"2.5.{n}" for n in range(1, 8)]
    + [f"2.6.{n}" for n in range(1, 4)]
    + [f"2.7.{n}" for n in range(1, 7)]
    + [f"2.8.{n}" for n in range(1, 8)]
    + [f"2.9.{n}" for n in range(1, 4)]
    + [f"2.10.{n}" for n in range(1, 5)]
    + ["3.1.1", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.3.1", "3.3.2", "3.3.3", "3.3.4"]
    + [f"3.4.{n}" for n in range(1, 6)]
    + ["3.5.1", "3.5.2", "3.5.3", "3.7.1"]
)
_TEST_NAME = re.compile(r"\btest_[a-z0-9_]+\b(?!\.py)")  # a test, not a test file
_MATRIX_ID = re.compile(r"\bJWT-(E?\d\d)\b")  # a JWT matrix case: test_jwt_<id>_...
_RANGE = re.compile(r"^(\d+\.\d+)\.(\d+)\u2013\d+\.\d+\.(\d+)$")  # 2.6.1 to 2.6.3, with an en dash


def rows() -> list[list[str]]:
    section = POLICY.read_text(encoding="utf-8").split(HEADING, 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")][2:]  # no header
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def covered(item: str) -> list[str]:
    match = _RANGE.match(item)
    if match is None:
        return [item]
    prefix, first, last = match.groups()
    return [f"{prefix}.{n}" for n in range(int(first), int(last) + 1)]


def test_every_level_2_requirement_has_one_row_with_a_known_status() -> None:
    items = [i for row in rows() for i in covered(row[0])]
    assert sorted(items) == sorted(LEVEL_2)
    for row in rows():
        assert row[2] in STATUSES, row
        assert row[3], f"{row[0]}: say why, or which test shows it"


def test_every_named_test_exists_and_every_holds_row_names_one() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8") for path in (APP / "tests").rglob("test_*.py")
    )
    defined = set(re.findall(r"^def (test_[a-z0-9_]+)\(", sources, re.MULTILINE))
    for item, _requirement, status, evidence in rows():
        named = set(_TEST_NAME.findall(evidence))
        assert named <= defined, f"{item}: no such test: {sorted(named - defined)}"
        for case in _MATRIX_ID.findall(evidence):
            prefix = f"test_jwt_{case.lower()}_"
            matrix = {name for name in defined if name.startswith(prefix)}
            assert matrix, f"{item}: no JWT matrix case JWT-{case}"
            named |= matrix
        if status == "holds":
            assert named or "frontend/src/" in evidence, f"{item}: holds, but names no test"
