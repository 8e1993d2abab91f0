"""Optional API-key authentication for the OCR and system routes.

Keys come from ``OCR_API_KEYS``; with none configured every request passes.
Keys are compared in constant time, each against every configured key, so the
time taken tells nothing about which key (or how much of one) matched.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import SettingsDep
from app.errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")


def require_api_key(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_header)],
) -> str | None:
    """Pass when no keys are configured or the request carries a configured key.

    Returns the key that matched (None without keys): jobs belong to it.
    """
    if not settings.api_keys:
        return None
    offered = header_key or (bearer.credentials if bearer else None)
    if offered is None:
        raise Unauthorized(
            "An API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    candidate = offered.encode()
    matched = False
    for key in settings.api_keys:
        matched |= hmac.compare_digest(candidate, key.get_secret_value().encode())
    if not matched:
        raise Unauthorized("The API key is not valid.", headers={"WWW-Authenticate": "Bearer"})
    return offered


ApiKeyDep = Depends(require_api_key)
ApiKey = Annotated[str | None, Depends(require_api_key)]
"""The caller's API key in a route (the router-level check is not run twice)."""
