"""Logging set-up: text or JSON lines, the request id on every line."""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from app.config import Settings

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


class RequestIdDefault(logging.Filter):
    """Lines logged outside a request carry request_id '-'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    """A dictConfig for our loggers and uvicorn's, sharing one formatter."""
    if settings.log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    else:
        formatter = {"format": _TEXT_FORMAT}
    level = settings.log_level.upper()
    handler = {
        "class": "logging.StreamHandler",
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
        },
    }


def configure_logging(settings: Settings) -> None:
    """Apply the logging configuration."""
    logging.config.dictConfig(logging_config(settings))
