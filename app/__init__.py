"""OCR service: PaddleOCR behind a FastAPI HTTP API."""

__version__ = "0.1.0"
