"""Validate real HTTP responses against the committed contract (``contracts/openapi.json``).

``ShapeChecker.check(response, "POST", "/api/auth/login")`` asserts that the status is one the
contract documents for that operation, that the media type is one it documents for that status,
and that the body validates against that media type's schema (JSON Schema 2020-12, the dialect
of OpenAPI 3.1; ``$ref`` to ``#/components/...`` resolved inside the contract).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pricing_service.settings import APP_ROOT

# The committed contract: `govkit contracts check` keeps it equal to `pricing-service openapi`.
CONTRACT = APP_ROOT / "contracts" / "openapi.json"
UPDATE_HINT = "run `nox -s contracts -- --update`"
CONTRACT_URI = "urn:pricing-service:contract"
_PARAMETER = re.compile(r"\{[^}/]*\}")


def _shape(path: str) -> str:
    """A path template with its parameter names blanked: "/a/{id}" and "/a/{a_id}" match."""
    return _PARAMETER.sub("{}", path)


def _escape(token: str) -> str:
    """A JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


class ShapeChecker:
    def __init__(self, document: dict[str, Any], app: FastAPI) -> None:
        self.document = document
        self.app = app
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(CONTRACT_URI, resource)

    def route(self, method: str, path: str) -> str:
        """The app's path template for ``path`` (parameter names may differ, e.g. {id}).

        Skips the test while the app has no such endpoint (another domain still building it);
        fails when the app has it but the committed contract does not.
        """
        live: dict[str, Any] = self.app.openapi()["paths"]  # what the app serves right now
        found = next(
            (
                template
                for template, operations in live.items()
                if _shape(template) == _shape(path) and method.lower() in operations
            ),
            None,
        )
        if found is None:
            pytest.fail(f"{method} {path} is in the contract tests but not in the app")
        if method.lower() not in self.document.get("paths", {}).get(found, {}):
            pytest.fail(f"{method} {found} is in the app but not in {CONTRACT.name}: {UPDATE_HINT}")
        return found

    def check(self, response: Any, method: str, path: str) -> Any:
        """Assert the response matches the contract; return its parsed JSON body (or None)."""
        path = self.route(method, path)
        where = f"{method} {path}"
        responses: dict[str, Any] = self.document["paths"][path][method.lower()]["responses"]
        status = str(response.status_code)
        assert status in responses, (
            f"{where} answered {status}, which the contract does not document "
            f"(documented: {', '.join(sorted(responses))}); body: {response.text[:300]}"
        )
        content: dict[str, Any] = responses[status].get("content") or {}
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if not content:
            assert not response.content, f"{where} {status}: the contract documents no body"
            return None
        assert media in content, (
            f"{where} {status} answered {media or 'no content type'}; "
            f"the contract documents {', '.join(sorted(content))}"
        )
        operation = f"/paths/{_escape(path)}/{method.lower()}"
        pointer = f"{operation}/responses/{status}/content/{_escape(media)}/schema"
        validator = Draft202012Validator(
            {"$ref": f"{CONTRACT_URI}#{pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        body = response.json()
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{where} {status} does not match the contract:\n" + "\n".join(
            f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
        )
        return body
