"""CH103: a broad handler that passes the error on, or that the repository's ruff config lets be,
is not a swallowed error. CH102: print() is logging only in served code (a server or worker)."""

from __future__ import annotations

from pathlib import Path

from govkit.audit import run_audit
from govkit.repo import Repo


def _ch103_lines(root: Path) -> list[int]:
    [result] = run_audit(Repo(root), select=["CH103"]).results
    return [f.line or 0 for f in result.findings]


def _write(root: Path, body: str, dependencies: str = "") -> None:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "1"\ndependencies = [{dependencies}]\n'
    )
    (root / "app.py").write_text(body)


def test_a_bound_error_passed_on_is_not_swallowed(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "def a():\n"
        "    try:\n        work()\n    except Exception as exc:\n        return Result(error=exc)\n"
        "def b():\n"
        "    try:\n        work()\n    except Exception as exc:\n        errors.append(exc)\n"
        "def c():\n"
        "    try:\n        work()\n    except Exception:\n        log.debug('x', exc_info=1)\n"
        "def d():\n"
        "    try:\n        work()\n    except Exception as exc:\n        pass\n"
        "def e():\n"
        "    try:\n        work()\n    except Exception:\n        logger.debug('no uvloop')\n",
    )
    assert _ch103_lines(tmp_path) == [19, 24]


def test_noqa_ble001_is_the_repository_s_decision(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "try:\n    work()\nexcept Exception:  # noqa: BLE001\n    pass\n"
        "try:\n    work()\nexcept Exception:  # noqa: E722\n    pass\n",
    )
    assert _ch103_lines(tmp_path) == [7]


def test_ruff_per_file_ignore_of_ble001_is_honoured(tmp_path: Path) -> None:
    body = "try:\n    work()\nexcept Exception:\n    pass\n"
    _write(tmp_path, body)
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli/run.py").write_text(body)
    with (tmp_path / "pyproject.toml").open("a") as pyproject:
        pyproject.write('[tool.ruff.lint.per-file-ignores]\n"cli/*" = ["BLE001"]\n')
    [finding] = run_audit(Repo(tmp_path), select=["CH103"]).results[0].findings
    assert finding.path == "app.py"
    with (tmp_path / "pyproject.toml").open("a") as pyproject:
        pyproject.write('[tool.ruff.lint]\nextend-ignore = ["BLE"]\n')
    assert _ch103_lines(tmp_path) == []


def _ch102(root: Path) -> tuple[str, str, list[str]]:
    [result] = run_audit(Repo(root), select=["CH102"]).results
    return result.status.value, result.message, [f.path or "" for f in result.findings]


def _ch102_paths(root: Path) -> list[str]:
    return _ch102(root)[2]


def test_scripts_templates_and_example_folders_are_not_application_prints(tmp_path: Path) -> None:
    _write(tmp_path, "def serve():\n    print('up')\n", '"fastapi"')
    printing = "def main():\n    print('hi')\n"
    files = {
        "tool.py": printing + "\n\nif __name__ == '__main__':\n    main()\n",
        "{{cookiecutter.project_slug}}/app.py": printing,
        "api_examples/demo.py": printing,
        "sdk-examples/demo.py": printing,
        "pkg/worker.py": printing,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert _ch102_paths(tmp_path) == ["app.py", "pkg/worker.py"]


def test_print_is_a_library_s_or_a_tool_s_output_and_a_served_app_s_log(tmp_path: Path) -> None:
    printing = "def build():\n    print('adding file')\n"
    _write(tmp_path, printing)  # a library: no web framework, worker or container
    status, message, _ = _ch102(tmp_path)
    assert (status, message) == (
        "skip",
        "does not apply: no web framework, worker or container: "
        "print() is a library's or a tool's output",
    )
    _write(tmp_path, printing, '"celery>=5"')  # a worker's stdout is its log stream
    assert _ch102(tmp_path)[::2] == ("fail", ["app.py"])
    _write(tmp_path, printing)
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n")  # a service
    assert _ch102(tmp_path)[::2] == ("fail", ["app.py"])
