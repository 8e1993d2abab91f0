"""Logging set-up: text or JSON lines, the request id on every line."""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

from app.config import Settings

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
"""The id of the request being served in this context ('-' outside a request)."""


class RequestIdDefault(logging.Filter):
    """Give every line a request_id: the one passed in ``extra``, the current
    request's (also in threads started with anyio.to_thread), or '-'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    """A dictConfig for our loggers and uvicorn's, sharing one formatter."""
    if settings.log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # uvicorn's color_message repeats the message with terminal escapes.
            "reserved_attrs": [*RESERVED_ATTRS, "color_message", "taskName"],
        }
    else:
        formatter = {"format": _TEXT_FORMAT}
    level = settings.log_level.upper()
    handler = {
        "class": "logging.StreamHandler",
        # The level applies here too: libraries that set their own loggers' level
        # (PaddleX forces INFO) stay within OCR_LOG_LEVEL.
        "level": level,
        "formatter": "default",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdDefault}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "app": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            # Our access line replaces uvicorn's: it has the request id and sizes.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # pypdf warns about every font it cannot fully parse: noise, per page.
            "pypdf": {"handlers": ["default"], "level": "ERROR", "propagate": False},
            # PaddleX adds its own colored handler at import unless one is set already.
            "paddlex": {"handlers": ["default"], "level": level, "propagate": False},
        },
        # Any other library's warnings come out in the same format, not as bare text.
        "root": {"handlers": ["default"], "level": "WARNING"},
    }


def configure_logging(settings: Settings) -> None:
    """Apply the logging configuration; Python warnings become log lines too."""
    logging.config.dictConfig(logging_config(settings))
    logging.captureWarnings(True)
