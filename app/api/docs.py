"""Swagger UI at /docs and ReDoc at /redoc, served from local files only.

FastAPI's own pages load their scripts from a CDN, which leaves them blank on an
air-gapped network. These pages load the same scripts from the
``fastapi-offline`` wheel (MIT; it vendors Swagger UI 5 and ReDoc 2:
``swagger-ui-bundle.js``, ``swagger-ui.css``, ``redoc.standalone.js``), mounted
at /docs/assets. Each page also carries a Content-Security-Policy that lets the
browser fetch from this service only: ReDoc's sidebar shows a Redocly logo from
cdn.redoc.ly, which the policy blocks before any request is made (ReDoc then
simply leaves the logo out).

The OpenAPI document is completed here too, from the running configuration:
form fields get examples equal to this instance's defaults (Swagger UI fills
its "Try it out" forms from them: without, it would send ``timeout_ms=1`` and
``det_limit_side_len=320``, the schema minimums), and every operation that
takes an API key documents its 401, every operation with documented errors
its 500, both with the error envelope.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
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

from app.config import Settings

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

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_ENVELOPE_REF: Final = {"$ref": "#/components/schemas/ErrorEnvelope"}


def assets_dir() -> Path:
    """The folder of the vendored Swagger UI and ReDoc files (fails if one is missing)."""
    folder = Path(str(files("fastapi_offline") / "static"))
    missing = [name for name in ASSET_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"fastapi-offline is missing {', '.join(missing)} in {folder}")
    return folder


def content_security_policy(html: str) -> str:
    """A policy for a docs page: this origin only, plus the page's own inline scripts."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {hashes}".rstrip(),
        "style-src 'self' 'unsafe-inline'",  # both UIs set inline styles
        "img-src 'self' data: blob:",  # Swagger UI shows /ocr/annotate's PNG from a blob:
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",  # ReDoc's search index runs in a blob: worker
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def _locked(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = content_security_policy(
        bytes(response.body).decode()
    )
    return response


def install_docs(app: FastAPI, settings: Settings) -> None:
    """Add /docs, /redoc and their assets to ``app`` (created with docs_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
    app.openapi = _completed_openapi(app.openapi, settings)  # type: ignore[method-assign]
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _locked(get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={**SWAGGER_UI_PARAMETERS, **(app.swagger_ui_parameters or {})},
        ))

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _locked(get_swagger_ui_oauth2_redirect_html())

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _locked(get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        ))


# --- the OpenAPI document -----------------------------------------------------


def _completed_openapi(
    build: Callable[[], dict[str, Any]], settings: Settings
) -> Callable[[], dict[str, Any]]:
    done: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not done:
            schema = build()  # FastAPI caches this very dict on the app
            form_examples(schema, settings)
            no_null_form_fields(schema)
            if not settings.api_keys:
                drop_security(schema)
            document_common_errors(schema)
            error_examples(schema, settings)
            done.append(schema)
        return done[0]

    return openapi


def form_examples(schema: dict[str, Any], settings: Settings) -> None:
    """Give the multipart form fields examples that send what the service would use anyway.

    Empty strings leave a field empty in Swagger UI, which then does not send it.
    """
    examples: dict[str, Any] = {
        "min_score": settings.min_score,
        "rotate": settings.auto_rotate,
        "det_limit_side_len": settings.det_limit_side_len,
        "timeout_ms": settings.request_timeout_ms,
        "mode": "auto",
        "existing_text": "keep",
        "pages": "",
        "dpi": settings.pdf_dpi,
        "password": "",
        "page": 1,
        "format": "text",
        "words": False,
    }
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if not name.startswith("Body_"):
            continue
        for field, prop in component.get("properties", {}).items():
            if field in examples:
                prop["examples"] = [examples[field]]
        timeout = component.get("properties", {}).get("timeout_ms", {})
        for variant in timeout.get("anyOf", [timeout]):
            if variant.get("type") == "integer":
                variant["maximum"] = settings.request_timeout_ms


def no_null_form_fields(schema: dict[str, Any]) -> None:
    """Multipart cannot send null: an optional field is absent, not ``null``.

    FastAPI writes ``anyOf: [T, null]`` for ``T | None`` parameters; clients and
    fuzzers reading it would send the text "null".
    """
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if not name.startswith("Body_"):
            continue
        for prop in component.get("properties", {}).values():
            variants = [v for v in prop.get("anyOf", []) if v.get("type") != "null"]
            if len(variants) == 1 and len(prop["anyOf"]) == 2:
                del prop["anyOf"]
                prop.update(variants[0])


def drop_security(schema: dict[str, Any]) -> None:
    """Without configured API keys nothing is enforced, so nothing is declared."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
                operation.get("responses", {}).pop("401", None)
    schema.get("components", {}).pop("securitySchemes", None)


def document_common_errors(schema: dict[str, Any]) -> None:
    """401 on operations that take an API key, 500 where errors are documented.

    Errors are JSON on every route: FastAPI files them under the route's own media
    type (text/plain for /ocr), so they are moved to application/json.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for response in responses.values():
                content = response.get("content", {})
                for media_type, media in list(content.items()):
                    if media_type != "application/json" and media.get("schema") == _ENVELOPE_REF:
                        content.setdefault("application/json", content.pop(media_type))
            if operation.get("security") and "401" not in responses:
                responses["401"] = _error(
                    "unauthorized: API keys are configured (OCR_API_KEYS) and the request "
                    "sent none, or a wrong one.")
            if any(code[0] in "45" for code in responses) and "500" not in responses:
                responses["500"] = _error(
                    "internal: an unexpected failure; the message never carries details.")
            operation["responses"] = dict(sorted(responses.items()))  # 401 after 400


def error_examples(schema: dict[str, Any], settings: Settings) -> None:
    """An example envelope per documented error, with the code its description names first.

    Without, every error response would show the one example of ``ErrorBody``.
    """
    messages = {
        "empty_file": "The uploaded file is empty.",
        "unauthorized": "An API key is required: send 'Authorization: Bearer <key>' or "
        "'X-API-Key'.",
        "file_too_large": f"The file is larger than the limit of {settings.max_upload_bytes} "
        "bytes.",
        "unsupported_media_type": "Unsupported file type: send a JPEG, PNG, BMP, TIFF, GIF, "
        "WebP image or a PDF.",
        "missing_file": "Send the document as multipart form field 'file'.",
        "internal": "Internal server error.",
        "not_acceptable": "None of the accepted media types can be produced; POST /ocr "
        "answers text/plain, application/json, application/xhtml+xml, application/xml, "
        "text/xml, application/pdf, text/markdown (or use the form field 'format').",
        "not_ready": "The OCR engine is not ready (state: starting).",
        "timeout": "The request did not finish before its deadline.",
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                media = response.get("content", {}).get("application/json", {})
                code = re.match(r"[a-z_]+", response.get("description", ""))
                if media.get("schema") != _ENVELOPE_REF or "example" in media or not code:
                    continue
                if code.group() in messages:
                    media["example"] = {"error": {"code": code.group(),
                                                  "message": messages[code.group()],
                                                  "request_id": "9f1c2b7e4d0a4c55"}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": dict(_ENVELOPE_REF)}}}
