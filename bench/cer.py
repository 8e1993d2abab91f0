"""Character error rate, the measure of OCR quality used by tests and benchmarks."""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    """Compare what a reader sees: NFKC (full-width forms, ligatures), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


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
