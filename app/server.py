"""Uvicorn that follows the engine's lifecycle: drain on SIGTERM, exit when the engine cannot load.

On SIGTERM uvicorn closes its listening socket and waits (up to the grace
period) for requests in flight to finish; only then does the lifespan stop the
scheduler, which first finishes the pages already queued. Marking the state
'stopping' as the signal arrives makes /health answer 503 at once, so a load
balancer probing over a kept-alive connection stops sending work.

An engine that failed to load never recovers in this process (a missing system
library, a bad model set, no GPU): serving 503 for ever would only hide it. The
server stops within 0.1 s instead, and ``python -m app`` exits with its own
status (3), so that Docker's restart policy, Kubernetes or systemd see the
failure; the one ``engine failed to start: ...`` line in the log says why.
"""

from __future__ import annotations

import logging
from types import FrameType

import uvicorn

from app.api.state import AppState, Phase

logger = logging.getLogger("app.main")


class GracefulServer(uvicorn.Server):
    """A uvicorn server that drains on the exit signal and stops if the engine fails."""

    engine_failed = False
    """Set when the server stopped because the engine could not be loaded."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Mark the app not ready, then let uvicorn drain and stop."""
        state = self._state()
        if state is not None and state.phase is not Phase.STOPPING:
            state.phase = Phase.STOPPING
            logger.info("signal %s: draining in-flight requests", sig)
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        """Every 0.1 s in uvicorn's main loop: stop once the engine has failed to load."""
        state = self._state()
        if state is not None and state.phase is Phase.FAILED and not self.should_exit:
            self.engine_failed = True
            self.should_exit = True
        return await super().on_tick(counter)

    def _state(self) -> AppState | None:
        app = self.config.loaded_app if self.config.loaded else None
        state: AppState | None = getattr(getattr(_unwrap(app), "state", None), "ocr", None)
        return state


def _unwrap(app: object) -> object:
    # uvicorn wraps the app in proxy middleware; the FastAPI app is inside.
    while hasattr(app, "app") and not hasattr(app, "router"):
        app = app.app
    return app
