"""Scores of one answered page: CER in reading order, order-free CER, Kendall tau, timings.

``cer`` compares the page's lines in the service's order, joined, with the true
items in reading order, so an order error costs what a reader of the text would
lose. ``cer_order_free`` compares the two texts as bags of characters: the
characters one has more of than the other (the larger of the two surpluses),
per character of truth. It is 0 for any reordering and never above ``cer`` (an
edit removes at most one surplus on each side), so it is recognition error
alone, and ``cer − cer_order_free`` is what the order costs. (Sorting words or
characters and taking the CER of that, as ``tests.support.cer.bag_cer`` does, is
not order-free enough: a misread word sorts elsewhere and costs twice.)

Both are tests/support/cer.py's CER (NFKC, one dash, whitespace ignored, edits ÷ truth
characters) with the edit distance from rapidfuzz: the same number, but 1 ms
instead of 6.5 s for the 3 800-character UNLV page, which made scoring the
full run slower than OCRing it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rapidfuzz.distance import Levenshtein

from tests.support.cer import normalize
from tests.support.layout_match import Piece, coverage, kendall_tau, match, paragraph_breaks


def cer(recognized: str, truth: str) -> float:
    """``tests.support.cer.cer``, computed by rapidfuzz (Levenshtein distance in C++)."""
    ref, hyp = normalize(truth), normalize(recognized)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def order_free_cer(predicted: str, truth: str) -> float:
    """Bag-of-characters error: max(surplus of truth, surplus of prediction) ÷ truth length."""
    ref, hyp = Counter(normalize(truth)), Counter(normalize(predicted))
    total = sum(ref.values())
    if not total:
        return 0.0 if not hyp else 1.0
    return max((ref - hyp).total(), (hyp - ref).total()) / total


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
    read = coverage(order, lines, items)
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
        "coverage": round(read, 4),
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
