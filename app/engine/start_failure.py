"""Why the engine did not start, said on one line.

``python -m app`` exits (status 3) when the default model set cannot load
(app/server.py), so this line is what an operator reads in ``docker logs`` or
``kubectl logs``: the error, its root cause, and for a shared library missing
from the system (PaddleX imports the GUI build of OpenCV, which needs
libGL.so.1 and GLib: the first thing a minimal Debian lacks) the fix.
"""

from __future__ import annotations

import logging
import re

from app.errors import DeviceUnavailable, ModelSetError, OCRServiceError

_MISSING_LIBRARY = re.compile(r"\blib[\w+.-]*\.so(\.\d+)*\b")


def log_start_failure(logger: logging.Logger, exc: BaseException) -> None:
    """Log ``engine failed to start: <why>`` at ERROR; the traceback only at DEBUG."""
    logger.error("engine failed to start: %s", failure_reason(exc))
    logger.debug("engine start failure", exc_info=exc)


def failure_reason(exc: BaseException) -> str:
    """The error on one line, with its causes and, when it applies, the fix.

    Our own errors carry a message meant for the operator; anything else is
    named by its type.
    """
    chain = [exc]
    while (cause := chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 8:
        chain.append(cause)
    reason = _one_line(exc)
    if len(chain) > 1:
        reason += " (caused by " + ", caused by ".join(_one_line(e) for e in chain[1:]) + ")"
    if any(isinstance(e, ImportError | OSError) and _MISSING_LIBRARY.search(str(e)) for e in chain):
        reason += (
            "; a system library is missing: scripts/setup.sh (as root on Debian/Ubuntu)"
            " installs the ones the service needs"
        )
    return reason + "; OCR_LOG_LEVEL=debug logs the traceback"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).rstrip(".")
    if isinstance(exc, OCRServiceError | ModelSetError | DeviceUnavailable):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
