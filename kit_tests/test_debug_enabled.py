"""CH107: debug mode on in deployed code is reported at its line; env-derived or dev-only is not."""

from __future__ import annotations

from pathlib import Path

from kit_tests.check_support import audit_one


def _audit(
    tmp_path: Path, files: dict[str, str]
) -> tuple[str, list[tuple[str | None, int | None]]]:
    return audit_one(tmp_path, "CH107", files)


def test_django_debug_literal_in_base_settings(tmp_path: Path) -> None:
    status, where = _audit(
        tmp_path, {"mysite/settings.py": "SECRET = 1\nDEBUG = True\n", "mysite/__init__.py": ""}
    )
    assert status == "fail"
    assert where == [("mysite/settings.py", 2)]


def test_debug_env_default_true_is_reported(tmp_path: Path) -> None:
    text = 'import environ\nenv = environ.Env()\nDEBUG = env.bool("DEBUG", default=True)\n'
    status, where = _audit(tmp_path, {"config/settings/base.py": text})
    assert (status, where) == ("fail", [("config/settings/base.py", 3)])


def test_flask_and_uvicorn_run_flags(tmp_path: Path) -> None:
    text = (
        "import uvicorn\nfrom flask import Flask\napp = Flask(__name__)\n"
        'if __name__ == "__main__":\n    app.run(debug=True)\n'
        '    uvicorn.run("app:app", host="0.0.0.0", reload=True)\n'
    )
    api = "from fastapi import FastAPI\napi = FastAPI(debug=True)\n"
    status, where = _audit(tmp_path, {"app/main.py": text, "app/api.py": api})
    assert (status, where[0]) == ("fail", ("app/api.py", 2))
    where = where[1:]
    assert where == [("app/main.py", 5), ("app/main.py", 6)]


def test_env_derived_and_dev_only_pass(tmp_path: Path) -> None:
    status, where = _audit(
        tmp_path,
        {
            "config/settings/base.py": (
                'import os\nDEBUG = os.getenv("DEBUG") == "1"\n'
                'DEBUG2 = True\nX = env.bool("DEBUG", default=False)\n'
            ),
            "config/settings/local.py": "DEBUG = True\n",
            "app/dev_server.py": "import uvicorn\nuvicorn.run('app:app', reload=True)\n",
            "tests/test_app.py": "app.run(debug=True)\n",
            "app/main.py": "FastAPI(debug=settings.debug)\nuvicorn.run(app, reload=False)\n",
        },
    )
    assert (status, where) == ("pass", [])
