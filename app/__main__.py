"""``python -m app``: read settings, refuse bad ones in one line, serve with uvicorn.

Exit status (for scripts, systemd and container restart policies):

- 0: stopped by SIGTERM/SIGINT after draining;
- 2: a setting is invalid (one ``invalid setting OCR_...`` line per bad value);
- 3: the engine could not be loaded (one ``engine failed to start: ...`` line says
  why: a missing system library, a model set that is absent or fails its
  checksum, a GPU that is not there). The process does not stay up answering 503.
"""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from app.config import Settings
from app.main import EngineFactory, create_app
from app.observability.log_config import configure_logging, logging_config
from app.server import GracefulServer

EXIT_INVALID_SETTINGS = 2
EXIT_ENGINE_FAILED = 3


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 with one line per bad value."""
    try:
        return Settings()
    except ValidationError as exc:
        for err in exc.errors():
            name = "OCR_" + "_".join(str(p) for p in err["loc"]).upper() if err["loc"] else "OCR"
            print(f"invalid setting {name}: {err['msg']}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID_SETTINGS) from None


def main(engine_factory: EngineFactory | None = None) -> None:
    """Start the service on the configured host and port, one process.

    ``engine_factory`` replaces the real engine (tests of the start-up paths only).
    """
    settings = load_settings()
    configure_logging(settings)
    config = uvicorn.Config(
        create_app(settings, engine_factory),
        host=settings.host,
        port=settings.port,
        log_config=logging_config(settings),
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
    )
    server = GracefulServer(config)
    server.run()
    if server.engine_failed:
        raise SystemExit(EXIT_ENGINE_FAILED)


if __name__ == "__main__":
    main()
