"""``python -m app``: read settings, refuse bad ones in one line, serve with uvicorn."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from app.config import Settings
from app.logs import configure_logging, logging_config
from app.main import create_app
from app.server import GracefulServer


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 with one line per bad value."""
    try:
        return Settings()
    except ValidationError as exc:
        for err in exc.errors():
            name = "OCR_" + "_".join(str(p) for p in err["loc"]).upper() if err["loc"] else "OCR"
            print(f"invalid setting {name}: {err['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


def main() -> None:
    """Start the service on the configured host and port, one process."""
    settings = load_settings()
    configure_logging(settings)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=logging_config(settings),
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
    )
    GracefulServer(config).run()


if __name__ == "__main__":
    main()
