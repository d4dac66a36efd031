"""Committed .env-like files with credentials (issue 20): key names and the secrets gate's
detectors, placeholders and example files left alone, values never repeated."""

from __future__ import annotations

from pathlib import Path

from govkit.checks.env_files import committed_env_credentials, env_files
from govkit.repo import Repo
from govkit.secrets.fakes import govkit_fakes

FIXTURES = Path(__file__).parent / "fixtures" / "audit"


def test_credentials_in_env_files_are_reported_by_line_without_their_value() -> None:
    found = committed_env_credentials(Repo(FIXTURES / "env_files"))
    assert {(f.path, f.line) for f in found} == {
        ("backend/.env", 3),  # SECRET_KEY with a real-looking value
        ("backend/.env", 5),  # a password inside DATABASE_URL
        ("deploy/prod.env", 1),  # export SMTP_PASSWORD='...'
    }
    text = " ".join(f.message for f in found)
    for value in ("k7Qw2pLx9vRt4mZs8bNc", "Tr0ub4dorLocal", "mailpass-2024"):
        assert value not in text
    assert "git rm --cached backend/.env" in text
    assert "Rotate it" in text


def test_placeholders_examples_and_plain_settings_are_not_credentials() -> None:
    found = committed_env_credentials(Repo(FIXTURES / "env_files"))
    # changethis, ${VAR}, empty values, TTLs, publishable keys, a frontend's URLs, the example
    assert not {f.path for f in found} & {"frontend/.env", ".env.example"}
    assert not {(f.path, f.line) for f in found} & {
        ("backend/.env", 4),
        ("backend/.env", 6),
        ("backend/.env", 7),
        ("backend/.env", 8),
        ("deploy/prod.env", 2),
    }


def test_the_secrets_gate_detectors_find_tokens_under_any_key_even_in_examples(
    tmp_path: Path,
) -> None:
    token = next(f for f in govkit_fakes() if f.name.startswith("github"))
    (tmp_path / ".env.example").write_text(f"DEPLOY_HOOK={token.value}\nSECRET_KEY=\n")
    (tmp_path / "notes.txt").write_text(f"TOKEN={token.value}\n")  # not an env file: not read
    found = committed_env_credentials(Repo(tmp_path))
    assert [(f.path, f.line) for f in found] == [(".env.example", 1)]
    assert token.secret_type in found[0].message
    assert token.value not in found[0].message


def test_only_env_named_files_are_read(tmp_path: Path) -> None:
    for name in (".env", ".env.prod", "prod.env", "env.py", ".envrc", "environment.yml"):
        (tmp_path / name).write_text("X=1\n")
    assert env_files(Repo(tmp_path)) == [".env", ".env.prod", "prod.env"]


def test_a_secret_recorded_when_the_kit_was_adopted_is_let_through_like_the_gate_does(
    tmp_path: Path,
) -> None:
    from detect_secrets.core.potential_secret import PotentialSecret

    token = next(f for f in govkit_fakes() if f.name.startswith("github"))
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "old.env").write_text(f"TOKEN={token.value}\n")
    (tmp_path / "deploy" / "new.env").write_text(f"TOKEN={token.value}\n")
    hashed = PotentialSecret.hash_secret(token.value)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "secrets.md").write_text(
        "```yaml\nsecrets_adoption:\n  date: 2026-12-05\n  pending_review:\n"
        f"    - {{file: deploy/old.env, line: 1, hashed_secret: {hashed}}}\n```\n"
    )
    found = committed_env_credentials(Repo(tmp_path))
    assert [(f.path, f.line) for f in found] == [("deploy/new.env", 1)]
