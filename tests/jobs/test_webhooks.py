"""Job webhooks end to end: the app (fake engine) calls a real receiver on 127.0.0.1.

Each test runs on both job stores (Redis: a real redis-server). The receiver only
listens on loopback; the allow-list names 127.0.0.1/32, so nothing else is ever
allowed, and refused URLs are checked to reach nobody.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import redis

from app.jobs.webhooks import SIGNATURE_HEADER, verify
from tests.jobs.receiver import receiver
from tests.jobs.test_jobs_api import FORM, grey_pdf, wait_finished

SECRET = "whsec-test"
HOOKS = {"webhook_allow": ["127.0.0.1/32"], "webhook_secret": SECRET,
         "webhook_backoff_s": 0.05}


def submit(client: Any, values: list[int], **form: str) -> Any:
    return client.post("/jobs", files={"file": ("d.pdf", grey_pdf(values))},
                       data={**FORM, "format": "text", **form})


def wait_webhook(client: Any, job_id: str, state: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
        if info["webhook"] and info["webhook"]["state"] == state:
            return info
        assert time.monotonic() < deadline, info
        time.sleep(0.05)


def test_signed_event_retried_on_500_until_2xx(make_client: Any) -> None:
    with receiver(statuses=[500, 503]) as hook:
        client = make_client(**HOOKS)
        job = submit(client, [10, 20], callback_url=hook.url("/done?x=1")).json()
        info = wait_webhook(client, job["id"], "delivered")
        got = hook.wait_for(3)
        time.sleep(0.3)
        assert len(hook.requests) == 3  # stopped at the 2xx
    assert [a["status_code"] for a in info["webhook"]["attempts"]] == [500, 503, 200]
    assert [a["n"] for a in info["webhook"]["attempts"]] == [1, 2, 3]
    assert all(r.path == "/done?x=1" for r in got)
    for request in got:
        assert verify(SECRET.encode(), request.headers[SIGNATURE_HEADER], request.body)
        assert request.headers["Content-Type"] == "application/json"
    event = json.loads(got[-1].body)
    assert event == {**event, "type": "job.finished", "job_id": job["id"],
                     "status": "succeeded", "result_url": job["result_url"],
                     "pages_done": 2, "page_count": 2, "error": None}
    assert got[0].body == got[-1].body  # the same event each time, signed afresh


def test_failed_job_event_and_bounded_attempts(make_client: Any) -> None:
    from tests.support.fakes import EchoEngine

    with receiver(default=500) as hook:
        client = make_client(engine=EchoEngine(fail_on=20), webhook_max_attempts=3, **HOOKS)
        job = submit(client, [10, 20], callback_url=hook.url()).json()
        assert wait_finished(client, job["id"])["status"] == "failed"
        info = wait_webhook(client, job["id"], "failed")
        time.sleep(0.5)
        assert len(hook.requests) == 3
    assert [a["status_code"] for a in info["webhook"]["attempts"]] == [500, 500, 500]
    event = json.loads(hook.requests[0].body)
    assert event["status"] == "failed" and event["error"]["code"] == "internal"


def test_a_4xx_or_redirect_is_not_retried_or_followed(make_client: Any) -> None:
    with receiver(statuses=[302]) as hook:
        client = make_client(**HOOKS)
        job = submit(client, [10], callback_url=hook.url()).json()
        info = wait_webhook(client, job["id"], "failed")
        time.sleep(0.3)
        assert len(hook.requests) == 1
    assert info["webhook"]["attempts"][0]["status_code"] == 302


def test_a_slow_receiver_times_out_without_holding_others(make_client: Any) -> None:
    with receiver(slow={"/slow": 4.0}) as hook:
        client = make_client(webhook_timeout_s=1.0, webhook_max_attempts=2, **HOOKS)
        slow = submit(client, [10], callback_url=hook.url("/slow")).json()
        wait_webhook(client, slow["id"], "pending")
        fast = submit(client, [20], callback_url=hook.url("/fast")).json()
        delivered = wait_webhook(client, fast["id"], "delivered")
        info = wait_webhook(client, slow["id"], "failed")
    attempts = info["webhook"]["attempts"]
    assert [a["error"] for a in attempts] == ["timeout", "timeout"]
    # Each attempt ended at its 1 s bound, long before the receiver (4 s) would answer.
    assert all(1000 <= a["ms"] < 3000 for a in attempts)
    # The fast event went out while the slow one was being attempted, not after.
    (sent,) = delivered["webhook"]["attempts"]
    assert sent["at"] < attempts[-1]["at"] + attempts[-1]["ms"] / 1000


def test_refused_callbacks_are_4xx_and_reach_nobody(make_client: Any, store: str,
                                                    tmp_path: Any) -> None:
    with receiver() as hook:
        client = make_client(**HOOKS)
        refused = [hook.url(host="localhost"),           # a name not on the list
                   hook.url(host="127.0.0.2"),           # outside 127.0.0.1/32
                   "http://169.254.169.254/latest/meta-data", "ftp://127.0.0.1/x",
                   "http://user:pw@127.0.0.1/x", "not a url"]
        for url in refused:
            response = submit(client, [10], callback_url=url)
            assert response.status_code == 422, (url, response.text)
            assert response.json()["error"]["code"] == "callback_refused"
        # A listed name that resolves to loopback is refused too (no network listed).
        named = make_client(webhook_allow=["localhost"], webhook_secret=SECRET)
        response = submit(named, [10], callback_url=hook.url(host="localhost"))
        assert response.json()["error"]["code"] == "callback_refused"
        # Webhooks off: any callback is refused.
        off = make_client()
        assert submit(off, [10], callback_url=hook.url()).status_code == 422
        time.sleep(0.5)
        assert hook.requests == []
    # Nothing was accepted half-way: no upload kept, no job queued, in either store.
    if store:
        assert redis.Redis.from_url(store).keys("ocr:job:*") == []
    else:
        assert not any((tmp_path / "jobs" / "uploads").iterdir())
    assert 'ocr_jobs_finished_total{status="succeeded"} 0.0' in client.get("/metrics").text


def test_the_event_survives_a_restart(make_client: Any, tmp_path: Any) -> None:
    with receiver(statuses=[500]) as hook:
        first = make_client(**{**HOOKS, "webhook_backoff_s": 3.0})
        job = submit(first, [10], callback_url=hook.url()).json()
        wait_webhook(first, job["id"], "pending")
        while not first.get(f"/jobs/{job['id']}").json()["webhook"]["attempts"]:
            time.sleep(0.02)
        first.__exit__(None, None, None)  # stopped before the retry is due
        assert len(hook.requests) == 1
        second = make_client(**HOOKS)
        info = wait_webhook(second, job["id"], "delivered")
    assert [a["status_code"] for a in info["webhook"]["attempts"]] == [500, 200]
    assert len(hook.requests) == 2


def test_two_replicas_deliver_each_event_once(make_client: Any, store: str) -> None:
    if not store:
        pytest.skip("one process per embedded store: no replicas to share events")
    with receiver() as hook:
        a = make_client(**HOOKS)
        b = make_client(**HOOKS)
        jobs = [submit(a if n % 2 else b, [n + 1], callback_url=hook.url()).json()["id"]
                for n in range(8)]
        for job_id in jobs:
            wait_webhook(a, job_id, "delivered")
        time.sleep(1.0)
        delivered = [json.loads(r.body)["job_id"] for r in hook.requests]
    assert sorted(delivered) == sorted(jobs)
