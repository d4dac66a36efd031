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


SETDEFAULT = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "{}")\n'
SETTINGS = {
    "config/__init__.py": "",
    "config/settings/__init__.py": "",
    "config/settings/base.py": 'import environ\nDEBUG = env.bool("DJANGO_DEBUG", default=True)\n',
    "config/settings/local.py": "from .base import *  # noqa\nDEBUG = True\n",
    "config/settings/docker_demo.py": "from config.settings.base import *\nDEBUG = True\n",
    "manage.py": SETDEFAULT.format("config.settings.local"),  # a developer's entry point
}


def test_the_deployed_chain_s_last_debug_is_judged(tmp_path: Path) -> None:
    """wsgi.py loads production, which sets DEBUG again after `from .base import *`: base's
    default and the modules only manage.py or nothing loads are not reported."""
    files = {
        **SETTINGS,
        "config/wsgi.py": SETDEFAULT.format("config.settings.production"),
        "config/settings/production.py": "from .base import *  # noqa\nDEBUG = False\n",
    }
    assert _audit(tmp_path, files) == ("pass", [])


def test_a_base_module_production_loads_as_it_is_is_reported(tmp_path: Path) -> None:
    files = {
        **SETTINGS,
        "config/asgi.py": SETDEFAULT.format("config.settings.production"),
        "config/settings/production.py": "from .base import *  # noqa\nALLOWED_HOSTS = []\n",
    }
    assert _audit(tmp_path, files) == ("fail", [("config/settings/base.py", 2)])


def test_a_dockerfile_s_settings_module_is_deployed(tmp_path: Path) -> None:
    files = {
        **SETTINGS,
        "Dockerfile": "FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=config.settings.docker_demo\n",
        "docker/local.Dockerfile": "ENV DJANGO_SETTINGS_MODULE=config.settings.local\n",
    }
    assert _audit(tmp_path, files) == ("fail", [("config/settings/docker_demo.py", 2)])


def test_manage_py_s_settings_are_deployed_when_nothing_else_says(tmp_path: Path) -> None:
    """manage.py naming settings.local is a developer's tool: the modules are judged by name."""
    assert _audit(tmp_path, SETTINGS) == (
        "fail",
        [("config/settings/base.py", 2), ("config/settings/docker_demo.py", 2)],
    )
    files = {**SETTINGS, "manage.py": SETDEFAULT.format("config.settings.docker_demo")}
    assert _audit(tmp_path, files) == ("fail", [("config/settings/docker_demo.py", 2)])
