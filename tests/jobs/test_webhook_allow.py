"""The webhook allow-list, the signature and the backoff, without any network.

Resolution goes through a stand-in resolver, so "a listed name that resolves to a
private address" is tested without DNS and nothing is ever contacted.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import socket
from typing import Any

import pytest

from app.config import Settings
from app.errors import CallbackRefused
from app.jobs.webhook_allow import AllowList, check_url, resolve
from app.jobs.webhooks import MAX_BACKOFF_S, backoff_s, sign, verify


def resolver(*addresses: str) -> Any:
    def answer(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]
    return answer


ALLOW = AllowList.parse(["hooks.example.com", "127.0.0.1/32", "10.20.0.0/16", "[::1]"])


@pytest.mark.parametrize(("url", "allow"), [
    ("https://hooks.example.com/x", AllowList.parse([])),       # webhooks off
    ("ftp://hooks.example.com/x", ALLOW),
    ("https://user:pw@hooks.example.com/x", ALLOW),
    ("https://evil.example.com/x", ALLOW),                      # not listed
    ("https://hooks.example.com.evil.net/x", ALLOW),
    ("http://127.0.0.2/x", ALLOW),                              # not in 127.0.0.1/32
    ("http://169.254.169.254/latest/meta-data", ALLOW),
    ("http://[fe80::1%25eth0]/x", ALLOW),
    ("http:///x", ALLOW),
    ("http://hooks.example.com:99999/x", ALLOW),
    ("https://hooks.example.com/" + "a" * 2000, ALLOW),
])
def test_refused_urls(url: str, allow: AllowList) -> None:
    with pytest.raises(CallbackRefused):
        check_url(url, allow)


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "192.168.1.9",
                                     "100.64.0.1", "::1", "fd00::1", "::ffff:127.0.0.1",
                                     "0.0.0.0"])
def test_a_listed_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    target = check_url("https://hooks.example.com/x", ALLOW)
    with pytest.raises(CallbackRefused):
        resolve(target, AllowList.parse(["hooks.example.com"]), resolver(address))
    # One bad address among good ones refuses the lot (no racing round-robin DNS).
    with pytest.raises(CallbackRefused):
        resolve(target, AllowList.parse(["hooks.example.com"]),
                resolver("93.184.216.34", address))


def test_allowed_names_and_networks() -> None:
    target = check_url("https://Hooks.Example.com./cb?a=1", ALLOW)
    assert (target.host, target.port, target.path) == ("hooks.example.com", 443, "/cb?a=1")
    assert resolve(target, ALLOW, resolver("93.184.216.34", "93.184.216.34")) == [
        "93.184.216.34"]
    # A private address is allowed only inside a listed network.
    assert resolve(target, ALLOW, resolver("10.20.3.4")) == ["10.20.3.4"]
    local = check_url("http://127.0.0.1:8080/hook", ALLOW)
    assert resolve(local, ALLOW) == ["127.0.0.1"]
    assert resolve(check_url("http://[::1]:81/", ALLOW), ALLOW) == ["::1"]


def test_unresolvable_host_is_refused() -> None:
    def fail(*_: Any, **__: Any) -> list[Any]:
        raise socket.gaierror("no such name")
    with pytest.raises(CallbackRefused):
        resolve(check_url("https://hooks.example.com/", ALLOW), ALLOW, fail)


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"job_id":"x","status":"succeeded"}'
    header = sign(b"s3cret", 1700000000, body)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify(b"s3cret", header, body, now=1700000100)
    assert not verify(b"s3cret", header, body + b" ", now=1700000100)
    assert not verify(b"other", header, body, now=1700000100)
    assert not verify(b"s3cret", header, body, now=1700000000 + 301)  # too old: replayed
    assert not verify(b"s3cret", "v1=" + expected, body)


def test_backoff_doubles_with_bounded_jitter() -> None:
    rng = random.Random(7)
    for attempt in range(1, 25):
        low = min(MAX_BACKOFF_S, 2.0 * 2 ** (attempt - 1))
        delay = backoff_s(attempt, 2.0, rng)
        assert low <= delay <= min(MAX_BACKOFF_S, low * 1.5)


def test_settings_refuse_unsigned_or_orphan_webhooks(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="webhook_secret"):
        Settings(cache_dir=tmp_path, webhook_allow=["hooks.example.com"])
    with pytest.raises(ValueError, match="webhook_allow"):
        Settings(cache_dir=tmp_path, webhook_url="https://hooks.example.com/")
    settings = Settings(cache_dir=tmp_path, webhook_allow="a.example, 10.0.0.0/8",
                        webhook_secret="k")
    assert settings.webhook_allow == ["a.example", "10.0.0.0/8"]
