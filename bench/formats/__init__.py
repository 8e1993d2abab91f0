"""Formats: what each output format and PDF input cost.

``python -m bench.formats.formats_bench [--quick]`` measures the cost per output
format and the searchable PDF against OCRmyPDF (bench/.venv-ocrmypdf);
``python -m bench.formats.pdf_bench [--quick]`` measures text-layer PDFs against
raw pypdf and that memory stays flat in the page count. Both print JSON;
``--quick`` is the CI smoke run.
"""
