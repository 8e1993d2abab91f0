"""Uploads turned into pages: type sniffing, image decoding and PDF handling."""
