"""Signed job webhooks: the event, its signature, and the loop that delivers it.

When a job with a callback ends (succeeded or failed), the store keeps its event in
an outbox in the same step that ends the job, so an event survives a crash or a
restart between the end and its delivery. The sender takes due events from the
outbox one at a time (the store's claim is atomic: with Redis one replica takes
each event), sends each in its own task, and records every attempt on the job.

The body is signed as Stripe signs: ``X-OCR-Signature: t=<unix>,v1=<hex HMAC-SHA256
(secret, "<t>.<raw body>")>``. A receiver recomputes it over the raw bytes and
rejects old timestamps (``verify``). Delivery connects to the address the
allow-list vetted, follows no redirect, trusts no proxy from the environment,
and gives up after ``webhook_max_attempts`` with exponential backoff and jitter;
a slow receiver holds only its own task, never OCR work or other deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
import time
from typing import Any, Final

import anyio
import httpx

from app.config import Settings
from app.errors import CallbackRefused
from app.jobs.model import JobError, JobRecord, JobStatus
from app.jobs.store import JobStore
from app.jobs.webhook_allow import AllowList, Target, check_url, resolve

logger = logging.getLogger("app.jobs.webhooks")
SIGNATURE_HEADER: Final = "X-OCR-Signature"
MAX_BACKOFF_S: Final = 600.0
MAX_PARALLEL: Final = 16
"""Deliveries in flight per process: a flood of dead receivers cannot pile up tasks."""
IDLE_POLL_S: Final = 0.2


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``X-OCR-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: bytes, header: str, body: bytes, tolerance_s: float = 300.0,
           now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance_s`` (receivers)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def job_event(record: JobRecord, status: JobStatus, error: JobError | None,
              pages_done: int) -> bytes:
    """The outbox entry for a job that ended: where to send it and the exact body."""
    body = {
        "type": "job.finished", "job_id": record.id, "status": status.value,
        "result_url": record.options.get("result_url"), "page_count": record.page_count,
        "pages_selected": len(record.page_numbers), "pages_done": pages_done,
        "finished_at": int(time.time()),
        "error": None if error is None else {"code": error.code, "message": error.message},
    }
    entry = {"url": record.options["callback_url"],
             "body": json.dumps(body, separators=(",", ":"))}
    return json.dumps(entry).encode()


def backoff_s(attempt: int, base_s: float, rng: random.Random) -> float:
    """Delay before attempt ``attempt + 1``: base doubled per attempt, +0-50% jitter."""
    return float(min(MAX_BACKOFF_S, base_s * 2 ** (attempt - 1) * (1 + rng.random() / 2)))


class WebhookSender:
    """Delivers this process's share of the due events; owned by the job runner."""

    def __init__(self, store: JobStore, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self.allow = AllowList.parse(settings.webhook_allow)
        secret = settings.webhook_secret
        self._secret = secret.get_secret_value().encode() if secret else b""
        self._rng = random.Random()  # noqa: S311 - jitter, not a secret
        # An event's hold outlasts one attempt: another replica takes it only when we died.
        self.hold_s = settings.webhook_timeout_s * 3 + 10
        self._slots = asyncio.Semaphore(MAX_PARALLEL)
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A job of this process just ended: look at the outbox now, not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Take and send due events until cancelled."""
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                     timeout=self.settings.webhook_timeout_s) as client:
            try:
                while True:
                    await self._slots.acquire()
                    try:
                        claimed = await self.store.claim_event(self.hold_s)
                    except Exception:
                        logger.exception("webhook outbox unavailable")
                        claimed = None
                    if claimed is None:
                        self._slots.release()
                        # Polled too: other replicas' events and retries coming due.
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), IDLE_POLL_S)
                        self._wake.clear()
                        continue
                    task = asyncio.create_task(self._send(client, *claimed))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _send(self, client: httpx.AsyncClient, job_id: str, entry: bytes,
                    attempts: int) -> None:
        try:
            data = json.loads(entry)
            attempt = await self.attempt(client, data["url"], data["body"].encode())
            attempt["n"] = attempts + 1
            status = attempt.get("status_code")
            if isinstance(status, int) and 200 <= status < 300:
                state, due = "delivered", None
            elif attempts + 1 >= self.settings.webhook_max_attempts or not attempt["retry"]:
                state, due = "failed", None
            else:
                delay = backoff_s(attempts + 1, self.settings.webhook_backoff_s, self._rng)
                state, due = "pending", time.time() + delay
            del attempt["retry"]
            await self.store.event_attempt(job_id, attempt, state, due)
            logger.info("webhook job=%s attempt=%d status=%s state=%s", job_id, attempts + 1,
                        status or attempt.get("error"), state)
        except Exception:
            logger.exception("webhook job=%s could not be recorded", job_id)
        finally:
            self._slots.release()

    async def attempt(self, client: httpx.AsyncClient, url: str, body: bytes
                      ) -> dict[str, Any]:
        """One POST of ``body`` to ``url`` (checked again); what happened, as recorded."""
        started = time.monotonic()
        result: dict[str, Any] = {"at": round(time.time(), 3)}
        try:
            target = check_url(url, self.allow)
            # One bound for the whole attempt, DNS included (httpx's is per phase).
            with anyio.fail_after(self.settings.webhook_timeout_s):
                addresses = await anyio.to_thread.run_sync(
                    resolve, target, self.allow, abandon_on_cancel=True)
                response = await self._post(client, target, addresses[0], body)
            result["status_code"] = response.status_code
            # 408/429/5xx may pass; a redirect or another 4xx will not by retrying.
            result["retry"] = response.status_code in (408, 429) or response.status_code >= 500
        except CallbackRefused:
            result.update(error="refused", retry=False)
        except (httpx.TimeoutException, TimeoutError):
            result.update(error="timeout", retry=True)
        except httpx.HTTPError:
            result.update(error="connection", retry=True)
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        return result

    async def _post(self, client: httpx.AsyncClient, target: Target, address: str,
                    body: bytes) -> httpx.Response:
        # Connect to the vetted address (no second DNS answer to race), name the host.
        host = f"[{address}]" if ":" in address else address
        url = f"{target.scheme}://{host}:{target.port}{target.path}"
        timestamp = int(time.time())
        headers = {"Host": target.host if target.port in (80, 443)
                   else f"{target.host}:{target.port}",
                   "Content-Type": "application/json", "User-Agent": "ocr-service-webhook",
                   SIGNATURE_HEADER: sign(self._secret, timestamp, body)}
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        request = client.build_request("POST", url, content=body, headers=headers,
                                       extensions=extensions)
        # The receiver's body is never read: only its status counts.
        response = await client.send(request, stream=True)
        with contextlib.suppress(Exception):
            await response.aclose()
        return response
