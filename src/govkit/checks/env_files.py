"""Committed `.env`-like files holding credentials (T16).

Only files named like environment files are read (``.env``, ``.env.prod``, ``prod.env``), so a
repository of any size costs one pass over its file names. In each, a line is a credential when
either the secrets gate's detectors (detect-secrets with govkit's plugins,
:mod:`govkit.secrets.scanner`) report it, or its key names a secret (``*_PASSWORD``,
``*_SECRET``, ``*_TOKEN``, ``*_KEY``, a URL with a password) and its value is not a placeholder
(empty, ``changethis``, ``<your-key>``, ``${VAR}``, ...). Example files (``.env.example``,
``.env.sample``, ``.env.template``) are meant to be committed: only a detector's hit with a
real-looking value counts there. Values are never repeated in a finding.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from govkit.checks.base import EVERY_REPOSITORY, Check, Finding, Skip, register
from govkit.repo import Repo

EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".tpl", ".tmpl")
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*?)\s*$")
_SECRET_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PWD",
        "PASS",
        "SECRET",
        "TOKEN",
        "KEY",
        "APIKEY",
        "PASSPHRASE",
        "CREDENTIALS",
        "CREDENTIAL",
    }
)
_PUBLIC_WORDS = frozenset({"PUBLIC", "PUBLISHABLE"})
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]+:([^@\s]+)@", re.I)
_PLACEHOLDER = re.compile(
    r"^(?:|change[-_ ]?(?:this|me|it)\w*|replace[-_ ]?me\w*|your[-_ ].*|<[^>]*>|\[[^\]]*\]|"
    r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|%\(.*\)s|x{3,}|\*{3,}|\.{3}|"
    r"todo|tbd|none|null|nil|secret|password|passwd|example\w*|dummy\w*|placeholder|test|"
    r"testing|dev|development|local|sample|fake\w*|foo|bar|insecure\w*|not[-_ ]?a[-_ ]?secret)$",
    re.I,
)
_PLACEHOLDER_PARTS = re.compile(
    r"changethis|changeme|change_me|placeholder|your[-_]|xxxx|<.+>", re.I
)


def env_files(repo: Repo) -> list[str]:
    """Committed files named like environment files (not under test fixtures)."""
    found = []
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]  # string tests: this runs over every file name
        if not (name == ".env" or name.startswith(".env.") or name.endswith(".env")):
            continue
        path = PurePosixPath(rel)
        if {"fixtures", "testdata"} & set(path.parts[:-1]) or "{{" in rel or "{%" in rel:
            continue
        found.append(rel)
    return found


def is_example(rel: str) -> bool:
    return PurePosixPath(rel).name.lower().endswith(EXAMPLE_SUFFIXES)


def _unquote(value: str) -> str:
    """The value of `KEY=value`, `KEY="value"  # comment`, `KEY='value'`."""
    value = value.strip()
    quote = value[:1]
    if quote in ("'", '"') and quote in value[1:]:
        return value[1 : value.index(quote, 1)]
    return re.sub(r"\s+#.*$", "", value)


def is_placeholder(value: str) -> bool:
    value = value.strip()
    return bool(_PLACEHOLDER.match(value) or _PLACEHOLDER_PARTS.search(value))


def names_a_secret(key: str) -> bool:
    """Whether the key's last word names a secret (a database password, an API token), unlike
    an access key's id or a token's lifetime in seconds."""
    words = [w for w in re.split(r"[_.-]+", key.upper()) if w]
    if not words or _PUBLIC_WORDS & set(words):
        return False
    return words[-1] in _SECRET_WORDS


def credential_lines(text: str) -> dict[int, str]:
    """Lines of an env file whose key names a secret and whose value is real: line -> key."""
    found: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            continue
        key, value = match[1], _unquote(match[2])
        url = _URL_PASSWORD.match(value)
        url_password = url is not None and not is_placeholder(url[1])
        named = names_a_secret(key) and not is_placeholder(value) and len(value) >= 4
        if url_password or named:
            found[number] = key
    return found


def detector_lines(repo: Repo, files: list[str]) -> dict[str, dict[int, str | None]]:
    """What the secrets gate's detectors report in files: path -> line -> secret type, or None
    for a secret recorded when the repository adopted the kit and still pending review (the
    secrets gate lets those through; so does this check, see docs/secrets.md)."""
    if not files:
        return {}
    # detect-secrets is imported only when there is something for it to read.
    from detect_secrets.core.secrets_collection import SecretsCollection

    from govkit.secrets.adoption import AdoptionError, adoption_of
    from govkit.secrets.scanner import DEFAULT_BASELINE, _default_config, _settings

    try:
        pending = adoption_of(repo.root).pending
    except AdoptionError:
        pending = frozenset()  # SEC102 reports a broken record
    found: dict[str, dict[int, str | None]] = {}
    with _settings(_default_config(), DEFAULT_BASELINE):
        for rel in files:
            collection = SecretsCollection()
            collection.scan_file(str(repo.root / rel))
            for _, secret in collection:
                adopted = (rel, secret.secret_hash) in pending
                found.setdefault(rel, {})[int(secret.line_number or 0)] = (
                    None if adopted else str(secret.type)
                )
    return found


def committed_env_credentials(repo: Repo) -> list[Finding]:
    """Credentials in committed env files, one finding per line (never the value)."""
    files = [rel for rel in env_files(repo) if repo.text(rel) is not None]
    if not files:
        raise Skip("no committed .env-like file")
    detected = detector_lines(repo, files)
    findings: list[Finding] = []
    for rel in files:
        text = repo.text(rel) or ""
        lines = text.splitlines()
        hits: dict[int, str | None] = {}
        for number, kind in detected.get(rel, {}).items():
            if kind is None:
                hits[number] = None  # recorded at adoption, pending review
                continue
            match = _ASSIGNMENT.match(lines[number - 1]) if 0 < number <= len(lines) else None
            value = _unquote(match[2]) if match else ""
            if match is None or not is_placeholder(value):
                hits[number] = f"{match[1] if match else 'a value'} ({kind})"
        if not is_example(rel):
            for number, key in credential_lines(text).items():
                hits.setdefault(number, key)
        findings.extend(
            Finding(
                f"{what} is a credential committed in {rel}: anyone with the repository has it. "
                "Rotate it now, then stop tracking the file (`git rm --cached "
                f"{rel}`, add `{PurePosixPath(rel).name}` to .gitignore) and commit an example "
                "file with empty values instead (`.env.example`); the deployment reads the real "
                "value from its secret store.",
                rel,
                number,
            )
            for number, what in sorted(hits.items())
            if what is not None
        )
    return findings


@register
class ENV101(Check):
    """No committed .env-like file holds credentials"""

    scope = "health"
    kinds = frozenset({"committed-env-credentials"})
    family = "security"
    severity = "P0"
    ticket = "T16"
    applies = EVERY_REPOSITORY

    def check(self, repo: Repo) -> list[Finding]:
        return committed_env_credentials(repo)
