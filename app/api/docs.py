"""Swagger UI at /docs and ReDoc at /redoc, served from local files only.

FastAPI's own pages load their scripts from a CDN, which leaves them blank on an
air-gapped network. These pages load the same scripts from the
``fastapi-offline`` wheel (MIT; it vendors Swagger UI 5 and ReDoc 2, with
``swagger-ui-bundle.js``, ``swagger-ui.css`` and ``redoc.standalone.js``),
mounted at /docs/assets: a browser showing the docs asks nothing of any host
but this service. Create the app with ``docs_url=None, redoc_url=None`` and
call :func:`install_docs`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL: Final = "/docs"
REDOC_URL: Final = "/redoc"
ASSETS_URL: Final = "/docs/assets"
OAUTH2_REDIRECT_URL: Final = "/docs/oauth2-redirect"
ASSET_FILES: Final = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js",
                      "favicon.png")

SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {
    # Forms are editable as soon as an operation opens: the file picker is right there.
    "tryItOutEnabled": True,
    "displayRequestDuration": True,
    "persistAuthorization": True,
    # No badge that would send the spec to validator.swagger.io.
    "validatorUrl": None,
}


def assets_dir() -> Path:
    """The folder of the vendored Swagger UI and ReDoc files (fails if one is missing)."""
    folder = Path(str(files("fastapi_offline") / "static"))
    missing = [name for name in ASSET_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"fastapi-offline is missing {', '.join(missing)} in {folder}")
    return folder


def install_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to ``app`` (created with docs_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={**SWAGGER_UI_PARAMETERS, **(app.swagger_ui_parameters or {})},
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
