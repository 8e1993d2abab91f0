"""Scores of one answered page: CER in reading order, order-free CER, Kendall tau, timings.

``cer`` compares the page's lines in the service's order, joined, with the true
items in reading order (bench/cer.py: NFKC, whitespace ignored), so an order
error costs what a reader of the text would lose. ``cer_order_free`` compares
the words of both sides sorted (``bench.quality.bag_cer``), or, for text
without spaces (CJK), the characters sorted: what is left is recognition error
alone, and ``cer − cer_order_free`` is roughly the price of the order.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from bench.cer import cer, normalize
from bench.layout_match import Piece, coverage, kendall_tau, match, paragraph_breaks
from bench.quality import bag_cer


def order_free_cer(predicted: str, truth: str) -> float:
    """CER with order removed: sorted words, or sorted characters for unspaced scripts."""
    chars = normalize(truth)
    wide = sum(unicodedata.east_asian_width(c) in ("W", "F") for c in chars)
    if chars and wide / len(chars) > 0.5:
        return cer("".join(sorted(normalize(predicted))), "".join(sorted(chars)))
    return bag_cer(predicted, truth)


def page_lines(page: dict[str, Any]) -> list[Piece]:
    """The lines of one ``/ocr/json`` page, in the service's order, keyed by paragraph."""
    return [Piece(ln["text"], tuple(ln["bbox"]), (ln["block"], ln["paragraph"]))
            for ln in page["lines"]]


def timing(answer: dict[str, Any]) -> dict[str, float]:
    """Layout and total milliseconds of a one-page answer, and layout's share."""
    ms = answer["timings_ms"]
    total = float(ms["total"])
    return {"layout_ms": float(ms["layout"]), "total_ms": total,
            "layout_share": float(ms["layout"]) / total if total else 0.0}


def score_page(answer: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """Everything measured on one page of the layout set."""
    (page,) = answer["pages"]
    lines = page_lines(page)
    items = [Piece(i["text"], tuple(i["box"]), i["paragraph"]) for i in truth["items"]]
    order = match(lines, items)
    predicted = "\n".join(ln.text for ln in lines)
    true_text = "\n".join(i.text for i in items)
    tp, fp, fn = paragraph_breaks(order, lines, items)
    tau = kendall_tau(order)
    return {
        "source": page["source"],
        "text_layer": page.get("text_layer"),
        "rotation": page["rotation"],
        "lines": len(lines),
        "items": len(items),
        "blocks": len(page.get("blocks", [])),
        "cer": round(cer(predicted, true_text), 4),
        "cer_order_free": round(order_free_cer(predicted, true_text), 4),
        "tau": None if tau is None else round(tau, 4),
        "coverage": round(coverage(order, len(items)), 4),
        "paragraph_breaks": {"tp": tp, "fp": fp, "fn": fn},
        **timing(answer),
    }


def score_corpus(answer: dict[str, Any], truth: str) -> dict[str, Any]:
    """A corpus file against its manifest truth (every page's lines, in order)."""
    text = "\n".join(ln["text"] for page in answer["pages"] for ln in page["lines"])
    return {
        "pages": len(answer["pages"]),
        "sources": sorted({p["source"] for p in answer["pages"]}),
        "cer": round(cer(text, truth), 4),
        "cer_order_free": round(order_free_cer(text, truth), 4),
        **timing(answer),
    }
