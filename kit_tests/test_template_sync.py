"""The kit's generated copies match their sources (tools/template_sync.py), in the `template` gate.

- The template's service core is what the reference app's core generates: a change to the
  reference core that the template lacks fails here (proved on a temporary copy of the kit).
- The kit's governance files are what the template renders with the kit's answers.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.template_sync import (
    CORE_SOURCE,
    CORE_TARGET,
    KIT_ANSWERS,
    KIT_FILES,
    NOT_SHARED,
    SyncError,
    core_drift,
    core_template,
    kit_drift,
    rendered,
    write_core,
)

KIT_ROOT = Path(__file__).resolve().parents[1]
TOOL = KIT_ROOT / "tools" / "template_sync.py"


@pytest.fixture
def kit_copy(tmp_path: Path) -> Path:
    """What the tool reads, in a temporary kit root: the reference core, the template, the kit's
    answers and governance files."""
    root = tmp_path / "kit"
    shutil.copytree(
        KIT_ROOT / CORE_SOURCE, root / CORE_SOURCE, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(KIT_ROOT / "template", root / "template")
    shutil.copy2(KIT_ROOT / "copier.yml", root / "copier.yml")
    for rel in (KIT_ANSWERS.as_posix(), *KIT_FILES):  # the governance half, as in the kit
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(KIT_ROOT / rel, root / rel)
    return root


def test_the_template_core_is_generated_from_the_reference_core() -> None:
    found = core_drift(KIT_ROOT)
    assert found == [], (
        "the template's core drifted from reference_app's (edit reference_app/src/pricing_service"
        "/core, then `nox -s template_sync`):\n" + "".join(d.diff for d in found)
    )


def test_a_reference_core_fix_the_template_lacks_fails_until_synced(kit_copy: Path) -> None:
    assert core_drift(kit_copy) == []
    time_module = kit_copy / CORE_SOURCE / "time.py"
    fix = "\n\ndef utc_today() -> str:\n    return utcnow().date().isoformat()  # pricing_service\n"
    time_module.write_text(time_module.read_text() + fix)

    [drift] = core_drift(kit_copy)
    assert drift.path == (CORE_TARGET / "time.py.jinja").as_posix()
    assert "+def utc_today() -> str:" in drift.diff
    checked = subprocess.run(
        [sys.executable, str(TOOL), "--root", str(kit_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 1, checked.stderr
    assert f"template_sync: {drift.path} differs from its source" in checked.stdout

    assert write_core(kit_copy) == [drift.path]
    assert core_drift(kit_copy) == []
    generated = (kit_copy / drift.path).read_text()
    assert "# {{ package_name }}\n" in generated  # the package name, as Copier fills it in


def test_a_template_core_file_without_a_source_is_drift(kit_copy: Path) -> None:
    stray = kit_copy / CORE_TARGET / "extra.py.jinja"
    stray.write_text('"""Written by hand in the template."""\n')
    assert [d.path for d in core_drift(kit_copy)] == [stray.relative_to(kit_copy).as_posix()]
    write_core(kit_copy)
    assert not stray.exists()


def test_jinja_markers_in_the_source_render_as_themselves() -> None:
    source = 'from pricing_service.core import x\nTEMPLATE = "{{ name }} {% x %}"\n'
    generated = core_template("example.py", source)
    assert generated.startswith("{% raw %}")
    assert "{% endraw %}{{ package_name }}{% raw %}" in generated
    assert '"{{ name }} {% x %}"' in generated


def test_an_override_that_no_longer_matches_is_an_error() -> None:
    with pytest.raises(SyncError, match="CORE_OVERRIDES expects"):
        core_template("errors.py", 'PROBLEM_TYPE_BASE = "https://elsewhere.example/"\n')


def test_shared_files_are_listed_once_and_rendered() -> None:
    assert not set(KIT_FILES) & set(NOT_SHARED)
    with rendered(KIT_ROOT) as render:
        missing = [rel for rel in (*KIT_FILES, *NOT_SHARED) if not (render / rel).is_file()]
    assert missing == [], f"the template no longer stamps {missing}: update the lists"


def test_kit_governance_files_match_the_template() -> None:
    with rendered(KIT_ROOT) as render:
        found = kit_drift(KIT_ROOT, render)
    assert found == [], (
        f"{len(found)} governance file(s) drifted from the template "
        "(change template/, then `nox -s template_sync`):\n" + "".join(d.diff for d in found)
    )
