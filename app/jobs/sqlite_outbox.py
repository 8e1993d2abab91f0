"""The embedded store's webhook outbox: one row per job with a callback, in ``jobs.sqlite3``.

The row is written in the same locked step that ends the job, so an event is never
lost between a job's end and its delivery (a restart finds it due). Taking an event
moves its due time ``hold`` ahead in one statement: two senders of the process
never take the same event, and one that died leaves it due again after the hold.
The row outlives the delivery (state and attempts) until the job is forgotten.
Every function runs under the store's lock, on its connection.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhooks (
    job_id TEXT PRIMARY KEY, entry BLOB NOT NULL, state TEXT NOT NULL, due REAL,
    attempts TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS webhooks_due ON webhooks (state, due);
"""


def put(db: sqlite3.Connection, job_id: str, entry: bytes, now: float) -> None:
    """Queue the event of a job that just ended, due now."""
    db.execute("INSERT OR REPLACE INTO webhooks (job_id, entry, state, due) "
               "VALUES (?, ?, 'pending', ?)", (job_id, entry, now))


def claim(db: sqlite3.Connection, now: float, hold_s: float) -> tuple[str, bytes, int] | None:
    """The oldest due event, held for ``hold_s``: (job id, entry, attempts so far)."""
    row = db.execute(
        "UPDATE webhooks SET due=? WHERE job_id=(SELECT job_id FROM webhooks WHERE "
        "state='pending' AND due<=? ORDER BY due LIMIT 1) RETURNING job_id, entry, attempts",
        (now + hold_s, now)).fetchone()
    if row is None:
        return None
    return str(row[0]), bytes(row[1]), len(json.loads(row[2]))


def record(db: sqlite3.Connection, job_id: str, attempt: dict[str, Any], state: str,
           due: float | None) -> None:
    """Append an attempt; reschedule the event or settle it."""
    row = db.execute("SELECT attempts FROM webhooks WHERE job_id=?", (job_id,)).fetchone()
    if row is None:  # the job was deleted meanwhile
        return
    attempts = [*json.loads(row[0]), attempt]
    db.execute("UPDATE webhooks SET attempts=?, state=?, due=? WHERE job_id=?",
               (json.dumps(attempts), state, due, job_id))


def status(db: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    """The delivery as ``GET /jobs/{id}`` shows it, or None without a callback."""
    row = db.execute("SELECT state, attempts FROM webhooks WHERE job_id=?",
                     (job_id,)).fetchone()
    return None if row is None else {"state": row[0], "attempts": json.loads(row[1])}


def drop_forgotten(db: sqlite3.Connection) -> None:
    """Remove the rows of jobs that no longer exist."""
    db.execute("DELETE FROM webhooks WHERE job_id NOT IN (SELECT id FROM jobs)")
