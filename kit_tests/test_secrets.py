"""The secrets gate: govkit's detect-secrets plugins, `govkit secrets` and the SEC checks.

Fake secrets come from govkit.secrets.fakes, assembled at run time, so this file holds none.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import default_settings

from govkit.checks import Status, run_checks
from govkit.checks.secrets import SEC101, SEC102
from govkit.cli import main
from govkit.repo import Repo
from govkit.secrets import plugins
from govkit.secrets.fakes import FakeSecret, builtin_fakes, govkit_fakes

ALL_FAKES = builtin_fakes() + govkit_fakes()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree with one clean file and a fresh baseline, as the current directory."""
    git(tmp_path, "init", "-q", "-b", "feature")
    (tmp_path / "README.md").write_text("# demo\n", encoding="utf-8")
    git(tmp_path, "add", "README.md")
    monkeypatch.chdir(tmp_path)
    assert main(["secrets", "baseline"]) == 0
    return tmp_path


def leak(repo: Path, fake: FakeSecret, name: str = "config.md") -> Path:
    path = repo / name
    path.write_text(f"# settings\n\nexport TOKEN={fake.value}\n", encoding="utf-8")
    git(repo, "add", name)
    return path


def set_results(repo: Path, results: dict[str, list[dict[str, object]]]) -> None:
    path = repo / ".secrets.baseline"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["results"] = results
    path.write_text(json.dumps(data), encoding="utf-8")


# --- plugins ---------------------------------------------------------------------------------


def test_one_fake_per_govkit_plugin() -> None:
    assert {f.secret_type for f in govkit_fakes()} == {
        p().secret_type for p in plugins.GOVKIT_PLUGINS
    }


@pytest.mark.parametrize("fake", govkit_fakes(), ids=lambda f: f.name)
def test_builtin_plugins_miss_the_bare_token(fake: FakeSecret, tmp_path: Path) -> None:
    """Why each govkit plugin exists: detect-secrets 1.5.0 alone reports nothing here."""
    path = tmp_path / "notes.md"
    path.write_text(f"curl -H 'Authorization: Bearer {fake.value}' https://api\n{fake.value}\n")
    with default_settings():
        found = SecretsCollection()
        found.scan_file(str(path))
    assert [s.type for _, s in found] == []


@pytest.mark.parametrize("fake", govkit_fakes(), ids=lambda f: f.name)
def test_govkit_plugin_detects_its_format(fake: FakeSecret) -> None:
    detected = {
        plugin.secret_type
        for plugin_class in plugins.GOVKIT_PLUGINS
        for plugin in [plugin_class()]
        if plugin.analyze_line(filename="x", line=f"token: {fake.value}", line_number=1)
    }
    assert detected == {fake.secret_type}


def test_plugins_ignore_lookalikes() -> None:
    lookalikes = [
        "github_pat_short",
        "AIza",
        "hf_model_name",
        "npm_install",
        "sk-proj-x",
        # MercadoLibre: the reference service's development placeholders and the masked
        # examples of MercadoLibre's own documentation.
        "TG-dev-refresh-for-the-fake",
        "TG-initial",
        "TG-XXXXXXXX-241983636",
        "APP_USR-",
        "APP_USR-4934588586838432-XXXXXXXX-241983636",
        "APP_USR-1585551492-030918-25######3458-2880736",
        "APP_USR-d0a26210-XXXXXXXX-479f0400869e",
    ]
    for plugin_class in plugins.GOVKIT_PLUGINS:
        for text in lookalikes:
            assert not plugin_class().analyze_line(filename="x", line=text, line_number=1)


# --- govkit secrets scan (what `nox -s secrets` and the pre-commit hook run) ------------------


@pytest.mark.parametrize("fake", ALL_FAKES, ids=lambda f: f.name)
def test_scan_fails_naming_file_line_and_type_never_the_secret(
    repo: Path, fake: FakeSecret, capsys: pytest.CaptureFixture[str]
) -> None:
    leak(repo, fake)
    assert main(["secrets", "scan"]) == 1
    out = capsys.readouterr().out
    assert f"config.md:3: {fake.secret_type}" in out
    assert fake.value not in out
    assert fake.value.splitlines()[-1] not in out


def test_scan_of_given_files_only(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leak(repo, govkit_fakes()[0])
    assert main(["secrets", "scan", "README.md"]) == 0
    assert main(["secrets", "scan", "README.md", "config.md"]) == 1
    assert "config.md:3: GitHub Fine-Grained Token" in capsys.readouterr().out


def test_scan_passes_on_a_clean_repository(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["secrets", "scan"]) == 0
    assert "nothing outside .secrets.baseline" in capsys.readouterr().out


def test_inline_allowlist_pragma_silences_one_line(repo: Path) -> None:
    path = leak(repo, builtin_fakes()[0])
    path.write_text(path.read_text().rstrip("\n") + "  # pragma: allowlist secret\n")
    assert main(["secrets", "scan"]) == 0


def test_baseline_holds_audited_false_positives(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leak(repo, builtin_fakes()[0])
    assert main(["secrets", "baseline"]) == 0
    assert main(["secrets", "scan"]) == 1  # in the baseline, but not audited yet
    assert "config.md:3: AWS Access Key (not audited)" in capsys.readouterr().out

    data = json.loads((repo / ".secrets.baseline").read_text())
    data["results"]["config.md"][0]["is_secret"] = False
    (repo / ".secrets.baseline").write_text(json.dumps(data))
    assert main(["secrets", "scan"]) == 0

    # A refresh keeps the audit decision.
    assert main(["secrets", "baseline"]) == 0
    refreshed = json.loads((repo / ".secrets.baseline").read_text())
    assert refreshed["results"]["config.md"][0]["is_secret"] is False
    assert main(["secrets", "audit-baseline"]) == 0


def test_baseline_entry_audited_as_real_secret_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {
        "type": "AWS Access Key",
        "hashed_secret": "0" * 40,
        "is_verified": False,
        "line_number": 7,
        "is_secret": True,
    }
    set_results(repo, {"deploy.sh": [entry]})
    assert main(["secrets", "audit-baseline"]) == 1
    assert main(["secrets", "scan"]) == 1
    out = capsys.readouterr().out
    assert "deploy.sh:7: AWS Access Key (audited as a real secret): rotate it" in out


def test_missing_or_broken_baseline_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".secrets.baseline").unlink()
    assert main(["secrets", "scan"]) == 2
    assert "govkit secrets baseline" in capsys.readouterr().err
    (repo / ".secrets.baseline").write_text("{not json")
    assert main(["secrets", "audit-baseline"]) == 2


def test_committed_baseline_loads_govkit_plugins_by_relative_path() -> None:
    """This repository's baseline lets plain detect-secrets tools load govkit's plugins too."""
    baseline = json.loads((Path(__file__).parents[1] / ".secrets.baseline").read_text())
    paths = {p["name"]: p.get("path") for p in baseline["plugins_used"]}
    for plugin_class in plugins.GOVKIT_PLUGINS:
        assert paths[plugin_class.__name__] == "file://src/govkit/secrets/plugins.py"


# --- SEC checks --------------------------------------------------------------------------------


def outcome(root: Path, check: type[SEC101] | type[SEC102]) -> tuple[Status, str]:
    [result] = run_checks(Repo(root), [check])
    return result.status, result.message


def test_sec101_passes_with_a_secrets_hook(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: s\n    name: s\n"
        "    entry: uv run --frozen govkit secrets scan\n    language: unsupported\n"
    )
    assert outcome(tmp_path, SEC101) == (Status.PASS, "")


def test_sec101_fails_without_config_or_hook(tmp_path: Path) -> None:
    status, message = outcome(tmp_path, SEC101)
    assert status is Status.FAIL
    assert "entry: uv run --frozen govkit secrets scan" in message
    (tmp_path / ".pre-commit-config.yaml").write_text("repos:\n- repo: local\n  hooks: []\n")
    status, message = outcome(tmp_path, SEC101)
    assert status is Status.FAIL
    assert "has no secrets hook" in message


def test_sec102_passes_on_an_audited_baseline(repo: Path) -> None:
    entry = {
        "type": "Secret Keyword",
        "hashed_secret": "1" * 40,
        "is_verified": False,
        "line_number": 2,
        "is_secret": False,
    }
    set_results(repo, {"a.py": [entry]})
    assert outcome(repo, SEC102) == (Status.PASS, "")


def test_sec102_fails_on_missing_or_unaudited_baseline(repo: Path) -> None:
    entry = {
        "type": "Secret Keyword",
        "hashed_secret": "1" * 40,
        "is_verified": False,
        "line_number": 2,
    }
    set_results(repo, {"a.py": [entry]})
    status, message = outcome(repo, SEC102)
    assert status is Status.FAIL
    assert "a.py:2: Secret Keyword (not audited)" in message
    (repo / ".secrets.baseline").unlink()
    status, message = outcome(repo, SEC102)
    assert status is Status.FAIL
    assert "govkit secrets baseline" in message


# --- govkit secrets adopt: the findings a repository already has when it adopts the kit --------

RECORD_DOC = (
    "# Secrets\n\n## Findings recorded at adoption\n\n"
    "```yaml\nsecrets_adoption:\n  date: null\n  pending_review: []\n```\n"
)


@pytest.fixture
def adopting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An existing repository with two old leaks, the kit's empty baseline and docs/secrets.md."""
    git(tmp_path, "init", "-q", "-b", "master")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deploy").mkdir()
    leak(tmp_path, builtin_fakes()[0], "deploy/old.env")
    leak(tmp_path, govkit_fakes()[0], "notes.md")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "secrets.md").write_text(RECORD_DOC)
    (tmp_path / ".secrets.baseline").write_text(
        (Path(__file__).parents[1] / "template" / ".secrets.baseline").read_text()
    )
    return tmp_path


def test_adopt_records_what_is_there_and_day_one_is_green(
    adopting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["secrets", "scan"]) == 1  # without the record: the old leaks fail the gate

    assert main(["secrets", "adopt", "--date", "2026-12-05"]) == 0

    baseline = json.loads((adopting / ".secrets.baseline").read_text())
    assert set(baseline["results"]) == {"deploy/old.env", "notes.md"}
    assert all("is_secret" not in e for es in baseline["results"].values() for e in es)
    record = (adopting / "docs" / "secrets.md").read_text()
    assert record.startswith(RECORD_DOC.split("```yaml")[0])  # the prose is untouched
    assert "date: '2026-12-05'" in record
    assert "file: deploy/old.env, line: 3, type: AWS Access Key, hashed_secret:" in record
    capsys.readouterr()
    assert main(["secrets", "scan"]) == 0
    assert "recorded at adoption (2026-12-05) await review: docs/secrets.md" in (
        capsys.readouterr().out
    )
    assert main(["secrets", "audit-baseline"]) == 0
    assert outcome(adopting, SEC102) == (Status.PASS, "")


def test_after_adoption_only_new_secrets_fail(
    adopting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["secrets", "adopt"]) == 0
    leak(adopting, builtin_fakes()[1], "new.md")
    assert main(["secrets", "scan"]) == 1
    out = capsys.readouterr().out
    assert "new.md:3:" in out
    assert "old.env" not in out
    # Absorbing the new finding into the baseline without an audit still fails: not recorded.
    assert main(["secrets", "baseline"]) == 0
    assert main(["secrets", "scan"]) == 1
    assert "new.md:3:" in capsys.readouterr().out
    assert outcome(adopting, SEC102)[0] is Status.FAIL


def test_adopt_leaves_a_baseline_with_entries_alone(
    adopting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {"type": "Secret Keyword", "hashed_secret": "1" * 40, "line_number": 2}
    set_results(adopting, {"a.py": [entry]})
    before = (adopting / ".secrets.baseline").read_text()
    assert main(["secrets", "adopt"]) == 0
    assert "already records 1 entries: left as it is" in capsys.readouterr().out
    assert (adopting / ".secrets.baseline").read_text() == before
    assert (adopting / "docs" / "secrets.md").read_text() == RECORD_DOC


def test_adopt_without_a_record_block_writes_nothing(
    adopting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (adopting / "docs" / "secrets.md").write_text("# Secrets\n")
    before = (adopting / ".secrets.baseline").read_text()
    assert main(["secrets", "adopt"]) == 2
    assert "secrets_adoption:" in capsys.readouterr().err
    assert (adopting / ".secrets.baseline").read_text() == before


def test_the_stamped_docs_secrets_md_holds_an_empty_record() -> None:
    from govkit.secrets.adoption import read_adoption

    text = (Path(__file__).parents[1] / "template" / "docs" / "secrets.md.jinja").read_text()
    adoption = read_adoption(text)
    assert (adoption.date, adoption.pending) == (None, frozenset())
