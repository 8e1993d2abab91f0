"""/docs and /redoc render in a real browser with the network cut off.

Headless Chromium (Debian's ``chromium``; scripts/test.sh installs it) and the
service (``python -m app``) run together in a network namespace of their own
(``unshare --net``) that has nothing but loopback: nothing could leave the
machine even if a page asked. Chromium's net log then proves that the pages
asked for nothing but loopback: every request a page made (its initiator is
the page's origin), and every page loaded, went to 127.0.0.1. (Chromium's own
background requests, which have no page as initiator, are listed in
logs/docs-browser-requests.txt; inside the namespace they fail at once, and a
dead proxy and a resolver that resolves nothing stop them anyway.)

Artifacts for CI: logs/docs-screenshot.png (/docs as a newcomer first sees it),
logs/docs-screenshot-ocr-json.png (the /ocr/json form opened, with its file
picker) and logs/docs-browser-requests.txt.

This module doubles as the script that runs inside the namespace:
``python -m tests.api.test_docs_browser OUT_DIR``.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageStat

from app.config import Settings
from app.main import create_app
from tests.support.fakes import EchoEngine
from tests.support.server import ROOT, start_server

LOGS = ROOT / "logs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
UNSHARE = shutil.which("unshare")
OCR_JSON_ANCHOR = "#/ocr/ocr_json_ocr_json_post"
PAGES = {  # name -> (path, what to capture, window height)
    "docs": ("/docs" + OCR_JSON_ANCHOR, "dom", 1400),
    "docs-screenshot": ("/docs", "screenshot", 1400),
    # Taller than the whole page, so that opening the form scrolls nothing (a scrolled
    # headless screenshot comes out half blank); cut to its top 2600 px afterwards.
    "docs-screenshot-ocr-json": ("/docs" + OCR_JSON_ANCHOR, "screenshot", 9000),
    "redoc": ("/redoc", "dom", 1400),
}
SHOT_SIZES = {"docs-screenshot": (1280, 1400), "docs-screenshot-ocr-json": (1280, 2600)}
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--no-default-browser-check",
    "--disable-dev-shm-usage", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--no-pings", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=AutofillServerCommunication,Translate,OptimizationHints,MediaRouter",
    # Belt and braces inside the namespace: nothing resolves, everything not on
    # loopback goes to a proxy on the discard port, which refuses.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--hide-scrollbars", "--virtual-time-budget=15000",
]
OPERATIONS = ["/ocr", "/ocr/json", "/ocr/debug", "/ocr/annotate", "/health", "/metrics",
              "/system/info"]


# --- inside the namespace -------------------------------------------------------


def loopback_up() -> None:
    """``ip link set lo up``, without needing iproute2."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh22x", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sh22x", b"lo", flags | iff_up))


def chromium(url: str, out: Path, name: str, capture: str, height: int) -> None:
    """Load ``url`` once, logging every request to ``name``.netlog.json."""
    assert CHROMIUM is not None
    args = [CHROMIUM, *CHROMIUM_FLAGS, f"--window-size=1280,{height}",
            f"--user-data-dir={out / ('profile-' + name)}",
            f"--log-net-log={out / (name + '.netlog.json')}"]
    if capture == "dom":
        args.append("--dump-dom")
    else:
        args.append(f"--screenshot={out / (name + '.png')}")
    done = subprocess.run([*args, url], capture_output=True, timeout=90, check=False)
    if capture == "dom":
        (out / f"{name}.html").write_bytes(done.stdout)
    (out / f"{name}.chromium.log").write_bytes(done.stderr)


def run_inside(out: Path, namespace: bool) -> None:
    """Start the service, load each page in Chromium, stop; results go to ``out``."""
    if namespace:
        loopback_up()
    interfaces = [name for _, name in socket.if_nameindex()]
    (out / "interfaces.json").write_text(json.dumps(interfaces))
    server = start_server(out / "server")
    try:
        (out / "origin.txt").write_text(server.url)
        for name, (path, capture, height) in PAGES.items():
            chromium(server.url + path, out, name, capture, height)
    finally:
        server.stop()


# --- the tests ------------------------------------------------------------------


def _namespace_works() -> bool:
    if UNSHARE is None:
        return False
    probe = subprocess.run([UNSHARE, "--net", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Run the service and Chromium (in a namespace when possible); yield the results."""
    if CHROMIUM is None:
        message = "chromium is not installed (scripts/test.sh installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI runs scripts/test.sh as root: it must be there
        pytest.skip(message)
    out = tmp_path_factory.mktemp("browser")
    (out / "server").mkdir()
    for name in SHOT_SIZES:  # never pass on an old run's screenshot
        (LOGS / f"{name}.png").unlink(missing_ok=True)
    namespace = _namespace_works()
    inner = [sys.executable, "-m", "tests.api.test_docs_browser", str(out)]
    if namespace:
        assert UNSHARE is not None
        command = [UNSHARE, "--net", "--", *inner]
    else:
        command = [*inner, "--no-namespace"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (out / "namespace.txt").write_text("yes" if namespace else "no")
    LOGS.mkdir(exist_ok=True)
    for name, (width, height) in SHOT_SIZES.items():
        if (out / f"{name}.png").is_file():
            with Image.open(out / f"{name}.png") as shot:
                shot.crop((0, 0, width, height)).save(LOGS / f"{name}.png")
    _write_request_report(out)
    yield out


def requests_made(out: Path) -> list[tuple[str, str]]:
    """(initiator, url) of every request Chromium started, over all page loads."""
    found: list[tuple[str, str]] = []
    for log in sorted(out.glob("*.netlog.json")):
        data = _load_netlog(log.read_text(encoding="utf-8", errors="replace"))
        names = {number: name for name, number in data["constants"]["logEventTypes"].items()}
        for event in data["events"]:
            params = event.get("params") or {}
            if names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params:
                found.append((str(params.get("initiator", "")), str(params["url"])))
    return found


def _load_netlog(text: str) -> dict[str, Any]:
    """A net log, also one cut short (Chromium writes the closing brackets on exit)."""
    try:
        data: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError:
        data = json.loads(text.rstrip().rstrip(",") + "]}")
    return data


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in {"127.0.0.1", "localhost", "::1"} or host.startswith("127.")


def _write_request_report(out: Path) -> None:
    origin = (out / "origin.txt").read_text()
    lines = [f"namespace (network cut): {(out / 'namespace.txt').read_text()}",
             f"interfaces: {(out / 'interfaces.json').read_text()}", f"service: {origin}", ""]
    for initiator, url in requests_made(out):
        who = "page" if initiator == origin else "browser"
        where = "loopback" if _is_loopback(url) else "OUTSIDE (never reached)"
        lines.append(f"{who:8} {where:25} {url[:160]}")
    (LOGS / "docs-browser-requests.txt").write_text("\n".join(lines) + "\n")


def test_network_was_cut_to_loopback(browser: Path) -> None:
    if (browser / "namespace.txt").read_text() != "yes":
        pytest.skip("unshare --net is not permitted here: only the net log proves it")
    assert json.loads((browser / "interfaces.json").read_text()) == ["lo"]


def test_pages_asked_for_nothing_but_loopback(browser: Path) -> None:
    origin = (browser / "origin.txt").read_text()
    made = requests_made(browser)
    page_urls = [url for initiator, url in made if initiator == origin or url.startswith(origin)]
    # The net log saw the pages load their assets and the OpenAPI document...
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
                  "/docs/assets/redoc.standalone.js", "/openapi.json"):
        assert origin + asset in page_urls, f"{asset} was never requested"
    # ...and nothing a page asked for went anywhere but loopback.
    outside = [url for url in page_urls if not _is_loopback(url)]
    assert not outside, f"the docs pages requested non-loopback URLs: {outside}"


def test_swagger_ui_rendered_every_operation(browser: Path) -> None:
    dom = (browser / "docs.html").read_text(encoding="utf-8")
    assert "swagger-ui" in dom and "Failed to load API definition" not in dom
    blocks = re.findall(r'class="opblock opblock-(?:get|post)', dom)
    assert len(blocks) >= len(OPERATIONS)
    for path in OPERATIONS:
        assert f'data-path="{path}"' in dom, f"no operation block for {path}"


def test_swagger_form_has_file_picker_and_sensible_prefill(browser: Path) -> None:
    dom = (browser / "docs.html").read_text(encoding="utf-8")
    assert 'type="file"' in dom  # the /ocr/json form opened by the anchor
    values = re.findall(r'<input[^>]*value="([^"]*)"', dom)
    settings = Settings()
    # Swagger UI pre-fills from examples; they are this instance's defaults, never the
    # schema minimums (timeout_ms=1 would make every try a 504).
    assert str(settings.request_timeout_ms) in values
    assert str(settings.det_limit_side_len) in values
    assert "1" not in values and "320" not in values


def test_redoc_rendered(browser: Path) -> None:
    dom = (browser / "redoc.html").read_text(encoding="utf-8")
    assert "OCR a document, answer pages, lines, boxes" in dom
    assert "OCR one page, answer it as PNG with the lines drawn" in dom
    assert "Prometheus metrics" in dom


def test_screenshots_show_the_page(browser: Path) -> None:
    for name, size in SHOT_SIZES.items():
        shot = LOGS / f"{name}.png"
        assert shot.is_file(), f"{shot} missing"
        with Image.open(shot) as image:
            assert image.size == size
            top = image.convert("L").crop((0, 0, size[0], 600))  # the title and first rows
            spread = ImageStat.Stat(top).stddev[0]
        assert spread > 10, f"{shot} looks blank at the top"


if __name__ == "__main__":
    run_inside(Path(sys.argv[1]), namespace="--no-namespace" not in sys.argv[2:])


# --- without a browser ----------------------------------------------------------


def test_docs_pages_load_nothing_from_elsewhere(tmp_path: Path) -> None:
    """The HTML names only local assets, and its policy lets the browser fetch nothing else."""
    settings = Settings(cache_dir=tmp_path, warmup=False)
    with TestClient(create_app(settings, lambda _: EchoEngine())) as client:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            page = client.get(path)
            assert page.status_code == 200
            assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page.text), path
            policy = page.headers["content-security-policy"]
            assert "default-src 'self'" in policy and "connect-src 'self'" in policy
            assert "img-src 'self' data: blob:" in policy  # annotate's PNG shows as blob:
            for script in re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL):
                digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
                assert f"'sha256-{digest}'" in policy
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
            assert client.get(f"/docs/assets/{asset}").status_code == 200


def test_openapi_is_completed_from_the_configuration(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, warmup=False, request_timeout_s=30)
    schema = create_app(settings, lambda _: EchoEngine()).openapi()
    body = schema["components"]["schemas"]["Body_ocr_json_ocr_json_post"]["properties"]
    assert body["timeout_ms"]["examples"] == [30000]
    assert body["pages"]["examples"] == [""]
    assert body["file"]["description"]
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert operation.get("summary"), path
            responses = operation["responses"]
            if operation.get("security"):
                assert "401" in responses, path
            for code, response in responses.items():
                if code.startswith(("4", "5")) and path.startswith("/ocr"):
                    media = response["content"]["application/json"]
                    assert media["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
                    assert media["example"]["error"]["code"], (path, code)
