"""Prototype lever: an int8 (dynamically quantized) copy of the embedded PP-OCRv6 small set.

Runs in its own venv (it needs the ``onnx`` package, which the app does not)::

    bench/peers/setup_peers.sh quant     # bench/.venv-quant from bench/speed/quant-requirements.txt
    bench/.venv-quant/bin/python bench/speed/quantize.py \\
        cache/model-sets/embedded /tmp/models/v6-int8

It reads a prepared model-set folder (``det/`` and ``rec/``, each ``inference.onnx``
+ ``inference.yml``, as the app lays out the embedded set) and writes a folder
set the app loads with ``OCR_MODELS_DIR=/tmp/models OCR_MODEL_SET=v6-int8``:
weights of MatMul/Gemm (``--ops``) quantized to int8, activations quantized at
run time. Nothing is downloaded; the app is not changed.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def main() -> None:
    """Quantize the chosen models of a set folder into a new set folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="set folder with det/ and rec/")
    parser.add_argument("target", type=Path, help="new set folder")
    parser.add_argument("--models", default="rec", help="det, rec or det,rec")
    parser.add_argument("--ops", default="MatMul,Gemm", help="op types to quantize")
    args = parser.parse_args()

    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    for part in ("det", "rec"):
        source, target = args.source / part, args.target / part
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "inference.yml", target / "inference.yml")
        model = (source / "inference.onnx").resolve()
        out = target / "inference.onnx"
        if part not in args.models.split(","):
            shutil.copyfile(model, out)
            print(f"{part}: copied")
            continue
        prepared = target / "prepared.onnx"
        quant_pre_process(str(model), str(prepared), skip_symbolic_shape=True)
        quantize_dynamic(
            str(prepared),
            str(out),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=args.ops.split(","),
            per_channel=True,
        )
        prepared.unlink()
        print(f"{part}: {model.stat().st_size >> 20} MiB -> {out.stat().st_size >> 20} MiB")


if __name__ == "__main__":
    main()
