"""A real login check for the app tests (the Airflow one is exercised by test_ui_plugin).

``authenticate`` accepts a bearer token only when it is the user name followed by that name's
HMAC under a key the tests hold, the way a signed session token is checked.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

KEY = b"ui-test-signing-key"


def sign(user: str) -> str:
    return f"{user}.{hmac.new(KEY, user.encode(), hashlib.sha256).hexdigest()}"


async def authenticate(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user, _, _ = token.partition(".")
    if scheme.lower() != "bearer" or not user:
        return None
    return user if hmac.compare_digest(token, sign(user)) else None


AUTH = {"Authorization": f"Bearer {sign('operator')}"}
