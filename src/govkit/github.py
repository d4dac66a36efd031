"""The one GitHub REST integration: an authenticated httpx client and typed errors.

Every govkit command that talks to GitHub (rulesets, labels, drift) goes through :class:`GitHubAPI`.
httpx is imported when a client is made, not when the CLI starts: every `govkit` command imports
this module (for DEFAULT_API_URL), and most of them, the pre-commit hooks among them, never call
GitHub.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"


class GitHubError(Exception):
    """The GitHub API refused a request (``status`` is its HTTP status) or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def github_http_client(
    token: str, api_url: str = DEFAULT_API_URL, timeout: float = 15.0
) -> httpx.Client:
    """An httpx client that authenticates to the GitHub REST API with ``token``."""
    import httpx

    return httpx.Client(
        base_url=api_url.rstrip("/"),
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "govkit",
        },
        timeout=timeout,
    )


class GitHubAPI:
    """Requests with one error type, and pagination that follows the Link header."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def request(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        accept: str | None = None,
    ) -> httpx.Response:
        import httpx

        headers = {"Accept": accept} if accept else None
        try:
            response = self.http.request(method, url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise GitHubError(f"{method} {url}: {error}") from error
        if response.is_error:
            raise GitHubError(
                f"{method} {url}: HTTP {response.status_code} {message(response)}",
                response.status_code,
            )
        return response

    def paginate(self, url: str) -> Iterator[dict[str, Any]]:
        next_url: str | None = url
        while next_url:
            response = self.request("GET", next_url)
            page = response.json()
            if not isinstance(page, list):
                raise GitHubError(f"GET {next_url}: expected a list")
            yield from (item for item in page if isinstance(item, dict))
            next_url = response.links.get("next", {}).get("url")

    def object(self, method: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.request(method, url, body)
        data = response.json()
        if not isinstance(data, dict):
            raise GitHubError(f"{method} {url}: expected an object")
        return data


def message(response: httpx.Response) -> str:
    """GitHub's own error message, else the HTTP reason."""
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return response.reason_phrase
