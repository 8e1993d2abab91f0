"""Bodies of the API's own answers (errors, health, index, system info), as OpenAPI shows them.

The OCR answer's body is the JSON format's wire form: ``app.formats.json_wire``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(examples=["corrupt_file"], description="Stable machine-readable code.")
    message: str = Field(examples=["The file looks like PNG but cannot be decoded."])
    request_id: str = Field(examples=["9f1c2b7e4d0a4c55"])


class ErrorEnvelope(BaseModel):
    """Every error response has this shape."""

    error: ErrorBody


class HealthResponse(BaseModel):
    status: Literal["ok", "starting", "failed", "stopping", "stalled", "wedged", "alive"] = Field(
        examples=["ok"]
    )
    ready: bool


class ServiceIndex(BaseModel):
    name: str
    version: str
    links: dict[str, str]


class SystemInfo(BaseModel):
    service: dict[str, str]
    versions: dict[str, str]
    engine: dict[str, object]
    limits: dict[str, object]
    scheduler: dict[str, object]
    jobs: dict[str, int] = Field(
        default_factory=dict, description="Jobs queued and running now (every replica).")
