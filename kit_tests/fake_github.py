"""A fake of the parts of GitHub's REST API govkit uses, served over real HTTP in tests.

One repository's rulesets, labels and issues, an organization's teams (with their access to the
repository) and users: `govkit rulesets apply`, `govkit labels apply` and `govkit drift` talk to
it exactly as to api.github.com (`serve_asgi(fake.app)` gives the base URL).
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

TOKEN = "test-token-not-a-secret"
PAGE_SIZE = 2  # small, so the client must follow the Link header


def _page(request: Request, items: list[Any], page: int) -> JSONResponse:
    chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    headers = {}
    if page * PAGE_SIZE < len(items):
        headers["Link"] = f'<{request.url.include_query_params(page=page + 1)}>; rel="next"'
    return JSONResponse(chunk, headers=headers)


class FakeGitHub:
    """One repository (rulesets, labels, issues), its organization's teams, and users."""

    def __init__(self, repo: str = "acme/shop") -> None:
        self.repo = repo
        self.rulesets: dict[int, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, str]] = {}  # lower-case name -> label
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[str]] = {}
        self.teams: dict[str, str | None] = {}  # "org/slug" -> permission on repo (None: none)
        self.users: set[str] = set()
        self.calls: list[str] = []
        self.next_id = 100
        self.app = self._build()

    def store(self, body: dict[str, Any], ruleset_id: int | None = None) -> dict[str, Any]:
        ruleset_id = ruleset_id or self.next_id
        self.next_id += 1
        stored = copy.deepcopy(body)
        # What GitHub adds on its side, which the comparison must ignore.
        stored.update(
            id=ruleset_id,
            source_type="Repository",
            source=self.repo,
            node_id=f"RRS_{ruleset_id}",
            created_at="2026-11-26T10:00:00Z",
            _links={"self": {"href": f"/repos/{self.repo}/rulesets/{ruleset_id}"}},
        )
        for rule in stored.get("rules", []):
            params = rule.get("parameters", {})
            if rule["type"] == "pull_request":
                params.setdefault("allowed_merge_methods", ["merge", "squash", "rebase"])
            if rule["type"] == "required_status_checks":
                params.setdefault("do_not_enforce_on_create", False)
                for check in params.get("required_status_checks", []):
                    check.setdefault("integration_id", 15368)
        self.rulesets[ruleset_id] = stored
        return stored

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def authenticate(request: Request, call_next: Any) -> Any:
            self.calls.append(f"{request.method} {request.url.path}")
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            parts = request.url.path.split("/")
            if parts[1] == "repos" and "/".join(parts[2:4]) != self.repo:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            return await call_next(request)

        @app.get("/repos/{owner}/{name}/rulesets")
        def list_rulesets(request: Request, page: int = 1) -> JSONResponse:
            summaries = [
                {k: r[k] for k in ("id", "name", "target", "source_type", "source", "enforcement")}
                for r in self.rulesets.values()
            ]
            return _page(request, summaries, page)

        @app.get("/repos/{owner}/{name}/rulesets/{ruleset_id}")
        def get_ruleset(ruleset_id: int) -> JSONResponse:
            if ruleset_id not in self.rulesets:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            return JSONResponse(self.rulesets[ruleset_id])

        @app.post("/repos/{owner}/{name}/rulesets")
        async def create(request: Request) -> JSONResponse:
            return JSONResponse(self.store(await request.json()), status_code=201)

        @app.put("/repos/{owner}/{name}/rulesets/{ruleset_id}")
        async def update(ruleset_id: int, request: Request) -> JSONResponse:
            if ruleset_id not in self.rulesets:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            return JSONResponse(self.store(await request.json(), ruleset_id))

        self._labels(app)
        self._issues(app)
        self._people(app)
        return app

    def _labels(self, app: FastAPI) -> None:
        @app.get("/repos/{owner}/{name}/labels")
        def list_labels(request: Request, page: int = 1) -> JSONResponse:
            return _page(request, list(self.labels.values()), page)

        @app.post("/repos/{owner}/{name}/labels")
        async def create_label(request: Request) -> JSONResponse:
            body = await request.json()
            self.labels[body["name"].lower()] = body
            return JSONResponse(body, status_code=201)

        @app.patch("/repos/{owner}/{name}/labels/{label}")
        async def update_label(label: str, request: Request) -> JSONResponse:
            body = await request.json()
            current = self.labels.pop(label.lower())
            current.update(
                name=body["new_name"], color=body["color"], description=body["description"]
            )
            self.labels[current["name"].lower()] = current
            return JSONResponse(current)

        @app.delete("/repos/{owner}/{name}/labels/{label}")
        def delete_label(label: str) -> Response:
            self.labels.pop(label.lower())
            return Response(status_code=204)

    def _issues(self, app: FastAPI) -> None:
        @app.get("/repos/{owner}/{name}/issues")
        def list_issues(request: Request, state: str = "open", page: int = 1) -> JSONResponse:
            found = [i for i in self.issues.values() if state == "all" or i["state"] == state]
            return _page(request, found, page)

        @app.post("/repos/{owner}/{name}/issues")
        async def create_issue(request: Request) -> JSONResponse:
            body = await request.json()
            number = len(self.issues) + 1
            self.issues[number] = {"number": number, "state": "open", **body}
            return JSONResponse(self.issues[number], status_code=201)

        @app.patch("/repos/{owner}/{name}/issues/{number}")
        async def update_issue(number: int, request: Request) -> JSONResponse:
            self.issues[number].update(await request.json())
            return JSONResponse(self.issues[number])

        @app.post("/repos/{owner}/{name}/issues/{number}/comments")
        async def comment(number: int, request: Request) -> JSONResponse:
            self.comments.setdefault(number, []).append((await request.json())["body"])
            return JSONResponse({"id": len(self.comments[number])}, status_code=201)

    def _people(self, app: FastAPI) -> None:
        @app.get("/orgs/{org}/teams/{slug}")
        def team(org: str, slug: str) -> JSONResponse:
            if f"{org}/{slug}" not in self.teams:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            return JSONResponse({"slug": slug, "name": slug})

        @app.get("/orgs/{org}/teams/{slug}/repos/{owner}/{name}")
        def team_repo(org: str, slug: str, owner: str, name: str) -> Response:
            permission = self.teams.get(f"{org}/{slug}")
            if permission is None or f"{owner}/{name}" != self.repo:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            levels = ("pull", "triage", "push", "maintain", "admin")
            granted = {level: levels.index(level) <= levels.index(permission) for level in levels}
            return JSONResponse({"full_name": self.repo, "permissions": granted})

        @app.get("/users/{login}")
        def user(login: str) -> JSONResponse:
            if login not in self.users:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            return JSONResponse({"login": login, "type": "User"})
