"""Table structure on real tables: PubTabNet's public samples (CDLA-Permissive data).

    python -m bench.quality.pubtabnet_tables PUBTABNET_CHECKOUT [--plus]

``PUBTABNET_CHECKOUT`` is a checkout of IBM's PubTabNet repository (nothing of it is
committed here) with ``ICDAR_SLR_competition/val_mini.zip`` unzipped in place
(``mini_val/``). Two sets:

* **val**: the 20 validation tables of ``mini_val/`` against ``src/sample_gt.json``
  (HTML, no cell boxes): TEDS-structure only, since there are no words to put in cells;
* **examples**: the 20 tables of ``examples/`` (training split: SLANet models were
  probably trained on them, so read these as an upper bound) with
  ``PubTabNet_Examples.jsonl``, whose cells carry their text and text box: each non-empty
  cell becomes one "word" for ``assign_words``, so full TEDS measures the structure and
  the cell boxes together (no OCR errors).
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from app.engine.structure.table_model import TableModel, assign_words
from bench.quality.structure_models import timed
from tests.engine.structure.drawn_tables import TruthWord


def load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).copy()


def example_truth(row: dict[str, Any]) -> tuple[str, list[TruthWord]]:
    """Ground-truth HTML and one word per non-empty cell from a PubTabNet jsonl row."""
    cells = iter(row["html"]["cells"])
    parts, words = [], []
    for token in row["html"]["structure"]["tokens"]:
        if token in ("<td>", ">"):  # a cell's content follows its opening tag
            cell = next(cells)
            parts.append(token + "".join(cell["tokens"]))
            text = html.unescape("".join(t for t in cell["tokens"] if not t.startswith("<")))
            if cell.get("bbox") and text.strip():
                x0, y0, x1, y1 = map(float, cell["bbox"])
                words.append(TruthWord(text.strip(), (x0, y0, x1, y1)))
        else:
            parts.append(token)
    return "<table>" + "".join(parts) + "</table>", words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--plus", action="store_true", help="also SLANet-plus on Paddle")
    args = parser.parse_args()

    from table_recognition_metric import TEDS

    full, struct = TEDS(), TEDS(structure_only=True)
    wrap = "<html><body>{}</body></html>".format
    models: dict[str, TableModel] = {"SLANet-1m": TableModel()}
    if args.plus:
        from bench.quality.slanet_plus_paddle import SlanetPlusPaddle

        models["SLANet-plus (Paddle)"] = SlanetPlusPaddle()
    truth = json.loads((args.root / "src" / "sample_gt.json").read_text(encoding="utf-8"))
    examples = [json.loads(line) for line in
                (args.root / "examples" / "PubTabNet_Examples.jsonl").read_text().splitlines()
                if line.strip()]
    for name, model in models.items():
        model(load(args.root / "examples" / examples[0]["filename"]))  # warm-up
        val_s, val_ms = [], []
        for filename, gt in sorted(truth.items()):
            structure, _, cpu = timed(model, load(args.root / "mini_val" / filename))
            val_s.append(struct(wrap(assign_words(structure, []).html), gt["html"]))
            val_ms.append(cpu)
        ex, ex_s, ex_ms = [], [], []
        for row in examples:
            gt_html, words = example_truth(row)
            structure, _, cpu = timed(model, load(args.root / "examples" / row["filename"]))
            pred = wrap(assign_words(structure, words).html)
            ex.append(full(pred, wrap(gt_html)))
            ex_s.append(struct(pred, wrap(gt_html)))
            ex_ms.append(cpu)
        print(f"| {name} | val (20) | – | {statistics.fmean(val_s):.3f} "
              f"| {min(val_s):.3f} | {statistics.median(val_ms):.0f} |")
        print(f"| {name} | examples, train split (20) | {statistics.fmean(ex):.3f} "
              f"| {statistics.fmean(ex_s):.3f} | {min(ex_s):.3f} "
              f"| {statistics.median(ex_ms):.0f} |", flush=True)


if __name__ == "__main__":
    main()
