"""Peers: the services the benchmarks compare the service against.

``baseline/`` (the seed-style app, PaddleOCR 2.x), ``paddlex/`` (PaddleX basic
serving) and ``ocrmypdf/`` (OCRmyPDF with RapidOCR, the searchable-PDF peer)
each run in their own git-ignored venv, built by
``bench/peers/setup_peers.sh [baseline] [paddlex] [quant] [ocrmypdf]``.
``servers`` starts each of them, and the service itself, as its users would and
reads their CPU and RSS; nothing here measures on its own: the speed suite and
the formats benchmark drive them.
"""
