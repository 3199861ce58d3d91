"""A real login check and real grants for the app tests (the Airflow ones: test_ui_plugin).

``authenticate`` accepts a bearer token only when it is the user name followed by that name's
HMAC under a key the tests hold, the way a signed session token is checked. What a user may see
is :class:`etl.ui.GrantAuthorizer`'s decision over grants given here.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from fastapi import Request

from etl.access import AccessConfig, Grant, NamedPrincipal, hash_secret
from etl.settings import Settings
from etl.ui import AuthorizerFor, GrantAuthorizer, NamedUser
from etl.zones import Zone

KEY = b"ui-test-signing-key"
#: The secret of every named principal here (their Airflow login, not the secret, proves them).
SECRET_HASH = hash_secret("not-used-by-the-ui")
#: A day every test grant holds on unless it says otherwise.
TODAY = date(2026, 1, 15)


def sign(user: str) -> str:
    return f"{user}.{hmac.new(KEY, user.encode(), hashlib.sha256).hexdigest()}"


async def authenticate(request: Request) -> NamedUser | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user, _, _ = token.partition(".")
    if scheme.lower() != "bearer" or not user:
        return None
    return NamedUser(user) if hmac.compare_digest(token, sign(user)) else None


def bearer(user: str) -> dict[str, str]:
    """The request headers that log ``user`` in."""
    return {"Authorization": f"Bearer {sign(user)}"}


def granting(*grants: Grant) -> AuthorizerFor:
    """The access file's decision over exactly these grants, on :data:`TODAY`."""
    names = sorted({g.principal for g in grants if not g.principal.startswith("os:")})
    config = AccessConfig(
        principals=tuple(NamedPrincipal(name=n, secret_hash=SECRET_HASH) for n in names),
        grants=grants,
    )

    def authorizer(settings: Settings) -> GrantAuthorizer:
        return GrantAuthorizer(config, TODAY)

    return authorizer


#: ``operator`` may see every dataset and repository, in every zone.
OPERATOR = Grant(principal="operator", zones=tuple(Zone), expires=date(2099, 12, 31))
OPERATOR_SEES_ALL = granting(OPERATOR)
AUTH = bearer("operator")
