"""Quality and stability of the answers a benchmark run collected.

CER per file uses tests/support/cer.py, as the tests do: ordered CER against the truth,
except for truths that are not in visual reading order (the three-column UNLV
page, the SROIE receipts' annotation order), where both texts' words are sorted
before comparing (``bag_cer``), so that no engine is charged for the truth's
order or for cutting a receipt row into one line or two. Both sides of every
comparison are scored on the same files with the same rule.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tests.support.cer import bag_cer, cer, normalize
from tests.support.server import CORPUS

UNORDERED = ("tess_unlv", "sroie_")


@dataclass(frozen=True, slots=True)
class Truth:
    """What a file says."""

    text: str
    unordered: bool


def corpus_truths() -> dict[str, Truth]:
    """Truth of every corpus image that has one."""
    entries = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return {
        e["file"]: Truth(e["truth"], e["file"].startswith(UNORDERED))
        for e in entries
        if e["kind"] == "image" and e["truth"]
    }


def score(text: str, truth: Truth) -> tuple[float, int]:
    """(CER, reference length in characters) of one answer."""
    measure = bag_cer if truth.unordered else cer
    return measure(text, truth.text), len(normalize(truth.text))


def quality(answers: dict[str, str], truths: dict[str, Truth]) -> dict[str, object]:
    """CER over the files with a truth: per file, mean of files, and pooled (Σedits / Σchars).

    ``answers``: one text per file (the first answer; stability is checked apart).
    """
    per_file: dict[str, float] = {}
    edits = chars = 0.0
    for name, truth in truths.items():
        if name not in answers:
            continue
        rate, length = score(answers[name], truth)
        per_file[name] = round(rate, 4)
        edits += rate * length
        chars += length
    mean = sum(per_file.values()) / len(per_file) if per_file else float("nan")
    return {
        "files": len(per_file),
        "cer_mean": round(mean, 4),
        "cer_pooled": round(edits / chars, 4) if chars else float("nan"),
        "per_file": per_file,
    }


def stability(records: Iterable[tuple[str, str]]) -> dict[str, object]:
    """Files that got more than one distinct text across all their answers."""
    seen: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for name, text in records:
        seen[name].add(normalize(text))
        counts[name] += 1
    unstable = sorted(name for name, texts in seen.items() if len(texts) > 1)
    return {
        "files": len(seen),
        "answers": sum(counts.values()),
        "unstable_files": unstable,
        "unstable": len(unstable),
    }
