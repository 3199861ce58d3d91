"""The login check in front of every request of the operators' pages.

An ASGI middleware rather than a route dependency: a dependency guards only the routes that
declare it, while FastAPI adds routes of its own (the OpenAPI schema) and a path no route
serves would still answer. Here the check runs before routing, so whatever the app serves,
now or after a route is added, is behind the login.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send


class UiUser(Protocol):
    """A logged-in user: Airflow's ``BaseUser`` is one, kept whole for the authorizer."""

    def get_name(self) -> str:
        """The user's name, as the pages show it and refusals name it."""
        ...


@dataclass(frozen=True)
class NamedUser:
    """A user known by name only (an authenticator with no user object of its own)."""

    name: str

    def get_name(self) -> str:
        """The user's name."""
        return self.name


#: Returns the logged-in user, or None when the request carries no valid credential.
Authenticate = Callable[[Request], Awaitable[UiUser | None]]
#: Builds the login URL that returns to ``next`` after logging in.
LoginUrl = Callable[[str], str]

#: The scope key that carries the authenticated user to the routes.
USER_KEY = "pubdata.user"


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API (``/api/...`` below the app's mount point)."""
    relative = request.url.path.removeprefix(request.scope.get("root_path", ""))
    return relative.startswith("/api/")


class RequireLogin:
    """Refuses every request without a valid credential; passes the user on."""

    def __init__(self, app: ASGIApp, authenticate: Authenticate, login_url: LoginUrl) -> None:
        self.app = app
        self.authenticate = authenticate
        self.login_url = login_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request if it carries a valid credential, else refuse it."""
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # the app serves no websocket: refuse before accepting
            await send({"type": "websocket.close", "code": 1008})
            return
        request = Request(scope)
        user = await self.authenticate(request)
        if user is None:
            await self._refuse(request)(scope, receive, send)
            return
        scope[USER_KEY] = user
        await self.app(scope, receive, send)

    def _refuse(self, request: Request) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "Not authenticated"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(self.login_url(target), status_code=302)
