"""Static checks of the deployment files (no Docker needed).

scripts/docker_check.sh builds and runs the image for real; these tests keep the
Dockerfile, the compose files and the Kubernetes manifests consistent with each
other and with the service's settings on every test run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _image_uid() -> int:
    match = re.search(r"^USER (\d+):(\d+)$", _dockerfile(), re.MULTILINE)
    assert match, "the Dockerfile sets no numeric USER uid:gid"
    return int(match.group(1))


def _compose_env(value: Any) -> str:
    """A compose value with ${NAME:-default} resolved to its default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def _setting_names() -> set[str]:
    return {f"OCR_{name.upper()}" for name in Settings.model_fields}


def test_dockerfile_shape() -> None:
    text = _dockerfile()
    assert not text.startswith("# syntax"), "a syntax line needs a registry at build time"
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 3, "multi-stage build"
    assert "ARG BASE_IMAGE=debian:bookworm-slim" in text
    assert "ARG VARIANT=gpu" in text
    assert re.search(r"ARG PADDLE_INDEX_URL=https://www\.paddlepaddle\.org\.cn/packages/stable/cu\d+/", text)
    assert _image_uid() >= 10000
    assert "EXPOSE 8000" in text
    assert re.search(r"^HEALTHCHECK .*--interval=30s --timeout=10s --start-period=60s --retries=3",
                     text, re.MULTILINE)
    assert "/health" in text.split("HEALTHCHECK", 1)[1]
    assert 'CMD ["python", "-m", "app"]' in text
    for env in ("OCR_HOST=0.0.0.0", "OCR_PORT=8000", "TMPDIR=/tmp", "OCR_CACHE_DIR=/app/cache"):
        assert env in text


def test_dockerfile_pins_come_from_requirements() -> None:
    """The image installs what the requirements files pin (the sed patterns match)."""
    reqs = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    paddle = (ROOT / "requirements-paddle.txt").read_text(encoding="utf-8")
    assert re.search(r"^opencv-contrib-python==\S+$", reqs, re.MULTILINE)
    assert re.search(r"^onnxruntime==\S+$", reqs, re.MULTILINE)
    assert re.search(r"^paddlepaddle==\S+$", paddle, re.MULTILINE)
    for name in ("requirements.txt", "requirements-paddle.txt", "requirements-gpu.txt",
                 "requirements-models.txt", "requirements-paddle-models.txt"):
        assert name in _dockerfile()
        assert f"!{name}" in (ROOT / ".dockerignore").read_text(encoding="utf-8")


def test_gpu_requirements_pin_one_cuda() -> None:
    """onnxruntime-gpu and the CUDA 12 wheels it loads, each pinned; no other CUDA major."""
    lines = [ln for ln in (ROOT / "requirements-gpu.txt").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    pins = dict(ln.split("==") for ln in lines)
    assert set(pins) >= {"onnxruntime-gpu", "nvidia-cuda-runtime-cu12", "nvidia-cudnn-cu12",
                         "nvidia-cublas-cu12", "nvidia-cufft-cu12", "nvidia-curand-cu12"}
    assert all(name == "onnxruntime-gpu" or name.endswith("-cu12") for name in pins)
    assert all(re.fullmatch(r"[\d.]+", version) for version in pins.values())
    # The Paddle build the image pairs with pins the same CUDA minor.
    cuda = ".".join(pins["nvidia-cuda-runtime-cu12"].split(".")[:2])
    assert f"/cu{cuda.replace('.', '')}/" in _dockerfile()


def test_dockerignore_is_an_allow_list() -> None:
    lines = [
        ln.strip() for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines[0] == "*"
    assert "!app/" in lines
    assert not any(ln.startswith("!") and ln.strip("!/") in {".venv", "cache", "logs", ".git"}
                   for ln in lines)


def test_compose_gpu_service() -> None:
    service = _yaml(ROOT / "docker-compose.yml")["services"]["ocr"]
    assert [_compose_env(p) for p in service["ports"]] == ["20000:8000"]
    devices = service["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["capabilities"] == ["gpu"]
    assert service["build"]["args"]["VARIANT"] == "gpu"
    assert service["healthcheck"]["interval"] == "30s"
    assert service["healthcheck"]["timeout"] == "10s"
    assert service["healthcheck"]["retries"] == 3
    assert service["healthcheck"]["start_period"] == "60s"
    assert service["logging"] == {"driver": "json-file",
                                  "options": {"max-size": "10m", "max-file": "3"}}
    assert service["restart"] == "unless-stopped"
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]
    targets = {v.split(":")[1] for v in service["volumes"]}
    assert targets == {"/app/models", "/app/cache", "/app/logs"}


def test_compose_cpu_profile_has_no_gpu() -> None:
    services = _yaml(ROOT / "docker-compose.yml")["services"]
    cpu = services["ocr-cpu"]
    assert cpu["profiles"] == ["cpu"]
    assert "deploy" not in cpu
    assert cpu["build"]["args"]["VARIANT"] == "cpu"
    assert "profiles" not in services["ocr"], "the GPU service runs by default"


@pytest.mark.parametrize("path", ["docker-compose.yml", "deploy/multi-gpu/docker-compose.yml"])
def test_compose_settings_exist(path: str) -> None:
    known = _setting_names()
    for name, service in _yaml(ROOT / path)["services"].items():
        for key in service.get("environment", {}):
            if key.startswith("OCR_"):
                assert key in known, f"{path}: {name} sets unknown {key}"


def test_multi_gpu_one_container_per_gpu() -> None:
    compose = _yaml(ROOT / "deploy" / "multi-gpu" / "docker-compose.yml")
    nginx = (ROOT / "deploy" / "multi-gpu" / "nginx.conf").read_text(encoding="utf-8")
    gpus = {name: svc for name, svc in compose["services"].items() if name.startswith("ocr-gpu")}
    assert len(gpus) >= 2
    ids = [svc["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"]
           for svc in gpus.values()]
    assert len({tuple(i) for i in ids}) == len(ids), "each container needs its own GPU"
    for name in gpus:
        assert f"server {name}:8000" in nginx
    assert [_compose_env(p) for p in compose["services"]["lb"]["ports"]] == ["20000:8080"]


def _deployment() -> dict[str, Any]:
    return _yaml(K8S / "base" / "deployment.yaml")


def test_k8s_deployment() -> None:
    spec = _deployment()["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert "startupProbe" in container
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["OCR_DEVICE"] == "gpu", "a pod given a GPU must not fall back to the CPU"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == _image_uid()
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/tmp", "/app/cache"} <= mounts
    known = _setting_names()
    for env in container["env"]:
        if env["name"].startswith("OCR_"):
            assert env["name"] in known, f"unknown setting {env['name']}"


def test_k8s_service_and_hpa_match_the_deployment() -> None:
    deployment = _deployment()
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = _yaml(K8S / "base" / "service.yaml")
    assert service["spec"]["selector"].items() <= labels.items()
    hpa = _yaml(K8S / "base" / "hpa.yaml")
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    kustomization = _yaml(K8S / "base" / "kustomization.yaml")
    assert set(kustomization["resources"]) == {"deployment.yaml", "service.yaml", "hpa.yaml"}


def test_k8s_cpu_overlay_drops_the_gpu() -> None:
    overlay = _yaml(K8S / "overlays" / "cpu" / "kustomization.yaml")
    assert overlay["images"] == [{"name": "ocr-service", "newTag": "cpu"}]
    ops = [op for patch in overlay["patches"] if "patch" in patch
           for op in yaml.safe_load(patch["patch"])]
    removed = {op["path"] for op in ops if op["op"] == "remove"}
    assert "/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu" in removed
    assert "/spec/template/spec/tolerations" in removed


def test_scripts_are_executable() -> None:
    for name in ("docker_check.sh", "gpu_check.sh", "download_models.sh", "make_base_image.sh"):
        assert os.access(ROOT / "scripts" / name, os.X_OK), name
