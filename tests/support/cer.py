"""Character error rate, the measure of OCR quality used by tests and benchmarks."""

from __future__ import annotations

import unicodedata

# Dashes a reader does not tell apart: hyphen, en/em dash, minus, ...
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})


def normalize(text: str) -> str:
    """Compare what a reader sees: NFKC (full-width forms, ligatures), one dash, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).translate(_DASHES).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(recognized: str, truth: str, *, casefold: bool = False) -> float:
    """Edits needed to turn ``recognized`` into ``truth``, per character of truth."""
    ref, hyp = normalize(truth), normalize(recognized)
    if casefold:
        ref, hyp = ref.casefold(), hyp.casefold()
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(hyp, ref) / len(ref)


def unordered_cer(recognized: str, truth: str, *, casefold: bool = False) -> float:
    """CER with both texts' lines sorted: for truths whose line order is not reading order."""

    def lines(text: str) -> str:
        return "\n".join(sorted(ln.strip() for ln in text.splitlines() if ln.strip()))

    return cer(lines(recognized), lines(truth), casefold=casefold)


def substring_cer(needle: str, haystack: str, *, casefold: bool = False) -> float:
    """Lowest CER of ``needle`` against any stretch of ``haystack`` (Sellers' algorithm)."""
    ref, hyp = normalize(needle), normalize(haystack)
    if casefold:
        ref, hyp = ref.casefold(), hyp.casefold()
    if not ref:
        return 0.0
    previous = [0] * (len(hyp) + 1)  # a match may start anywhere in the haystack
    for i, cr in enumerate(ref, 1):
        current = [i]
        for j, ch in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (cr != ch)))
        previous = current
    return min(previous) / len(ref)


def word_recall(recognized: str, truth: str) -> float:
    """Share of the truth's words (case-folded, with multiplicity) found in the output."""
    from collections import Counter

    found = Counter(recognized.casefold().split())
    wanted = Counter(truth.casefold().split())
    total = sum(wanted.values())
    return sum(min(n, found[w]) for w, n in wanted.items()) / total if total else 1.0


def bag_cer(recognized: str, truth: str) -> float:
    """CER between the two texts' words, each sorted: order and line cuts do not count."""
    return cer("\n".join(sorted(recognized.split())), "\n".join(sorted(truth.split())))
