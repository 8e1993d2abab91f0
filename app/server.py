"""Uvicorn with a readiness-aware SIGTERM: stop being ready first, then drain.

On SIGTERM uvicorn closes its listening socket and waits (up to the grace
period) for requests in flight to finish; only then does the lifespan stop the
scheduler, which first finishes the pages already queued. Marking the state
'stopping' as the signal arrives makes /health answer 503 at once, so a load
balancer probing over a kept-alive connection stops sending work.
"""

from __future__ import annotations

import logging
from types import FrameType

import uvicorn

from app.state import AppState, Phase

logger = logging.getLogger("app.main")


class GracefulServer(uvicorn.Server):
    """A uvicorn server that flips the app to 'stopping' on the exit signal."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Mark the app not ready, then let uvicorn drain and stop."""
        app = self.config.loaded_app if self.config.loaded else None
        state: AppState | None = getattr(getattr(_unwrap(app), "state", None), "ocr", None)
        if state is not None and state.phase is not Phase.STOPPING:
            state.phase = Phase.STOPPING
            logger.info("signal %s: draining in-flight requests", sig)
        super().handle_exit(sig, frame)


def _unwrap(app: object) -> object:
    # uvicorn wraps the app in proxy middleware; the FastAPI app is inside.
    while hasattr(app, "app") and not hasattr(app, "router"):
        app = app.app
    return app
