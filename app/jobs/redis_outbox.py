"""The Redis store's webhook outbox: due events in a sorted set, shared by every replica.

``ocr:webhooks:due`` scores each job id with the time its event is due; the event
itself is ``ocr:job:<id>:event`` and the delivery's state and attempts are the
job hash's ``webhook`` field. The job's end puts the event there in the same Lua
script (``redis_store._FINISH``). Taking an event is one Lua script that moves its
score ``hold`` ahead: exactly one replica takes each due event, and a replica that
dies mid-delivery leaves it due again after the hold, for another to retry. (A
stream's pending entries, used for the job queue, cannot say "not before t", which
backoff needs; a score can.)
"""

from __future__ import annotations

import json
from typing import Any, Final

DUE: Final = "ocr:webhooks:due"
PENDING: Final = json.dumps({"state": "pending", "attempts": []})

CLAIM: Final = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then return false end
redis.call('ZADD', KEYS[1], ARGV[2], ids[1])
return ids[1]
"""


def event_key(job_id: str) -> str:
    """Where a job's pending event is kept."""
    return f"ocr:job:{job_id}:event"


class RedisOutbox:
    """The outbox operations on the store's client."""

    def __init__(self, client: Any) -> None:
        self._redis = client
        self._claim = client.register_script(CLAIM)

    async def claim(self, now: float, hold_s: float) -> tuple[str, bytes, int] | None:
        """The oldest due event, held for ``hold_s`` (atomic across replicas)."""
        taken = await self._claim(keys=[DUE], args=[repr(now), repr(now + hold_s)])
        if not taken:
            return None
        job_id = taken.decode()
        job = f"ocr:job:{job_id}"
        entry, webhook = await self._redis.get(event_key(job_id)), await self._redis.hget(
            job, "webhook")
        if entry is None or webhook is None:  # the job was deleted meanwhile
            await self._redis.zrem(DUE, job_id)
            return None
        return job_id, entry, len(json.loads(webhook)["attempts"])

    async def record(self, job_id: str, attempt: dict[str, Any], state: str,
                     due: float | None) -> None:
        """Append an attempt (only the holder writes it); reschedule or settle."""
        job = f"ocr:job:{job_id}"
        raw = await self._redis.hget(job, "webhook")
        if raw is None:
            return
        webhook = json.loads(raw)
        webhook["attempts"].append(attempt)
        webhook["state"] = state
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(job, "webhook", json.dumps(webhook))
            if due is None:
                pipe.zrem(DUE, job_id)
                pipe.delete(event_key(job_id))
            else:
                pipe.zadd(DUE, {job_id: due})
            await pipe.execute()
