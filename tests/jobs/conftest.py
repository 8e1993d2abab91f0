"""Fixtures of the job tests: each runs against both job stores, with a fake engine."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.support.fakes import EchoEngine
from tests.support.redis_server import redis_available, redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not redis_available():
        pytest.skip("redis-server is not installed")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["embedded", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    """Each test runs against both job stores (Redis: a real redis-server, emptied)."""
    if request.param == "embedded":
        return ""
    url: str = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def make_client(tmp_path: Path, store: str) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(engine: EchoEngine | None = None, **overrides: Any) -> TestClient:
        settings = Settings(cache_dir=tmp_path, warmup=False, redis_url=store or None,
                            **overrides)
        engine = engine or EchoEngine(delay=0.01)
        client = TestClient(create_app(settings, lambda _: engine)).__enter__()
        clients.append(client)
        deadline = time.monotonic() + 10
        while client.get("/health").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
