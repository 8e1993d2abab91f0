"""Hostile inputs for the OCR service, built in memory at test time (never committed)."""
