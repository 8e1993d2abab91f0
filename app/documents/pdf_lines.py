"""Text-layer fragments grouped into lines, in pixels of the rendered page.

Fragments are grouped by baseline within each reading direction (text turned by
90° is read in its own upright frame), cut where a gap is too wide for one line,
and mapped back to page pixels, so text-layer and OCR pages share one
coordinate space. Each line carries its words (a CJK character is a word), boxed
from the fragments' glyph advances. Ordering lines for reading is the layout
stage's job.
"""

from __future__ import annotations

import itertools
from typing import Final

from app.documents.pdf_fragments import Fragment, is_wide
from app.documents.pdf_geometry import Box, PageGeometry, aabb, turn
from app.domain import Line, Word

BASELINE_TOLERANCE_EM: Final = 0.3  # superscripts (~0.33 em) become lines of their own
MIN_STACK: Final = 2
"""CJK characters drawn one below the other that make a vertical line."""
STACK_ALIGN_EM: Final = 0.25
STACK_STEP_EM: Final = (0.7, 1.6)
"""Left edges within this share of an em, and each glyph this many ems below the last."""
COLUMN_GAP_EM: Final = 1.0
"""A wider gap between unrelated fragments splits a line. Word spaces are 0.25-0.6 em even
in justified text; gutters of two-column pages can be under 2 em (18 pt at 10 pt type in
tests/support/layout_set.py), and layout keeps the cells of one table row together anyway."""


def positions_usable(fragments: list[Fragment], geo: PageGeometry, chars: int) -> bool:
    """False when positions are evidently broken: text off the page or all at one point."""
    width, height = geo.size
    on_page = [f for f in fragments if 0 <= f.origin[0] <= width and 0 <= f.origin[1] <= height]
    placed = sum(1 for f in on_page for c in f.text if not c.isspace())
    origins = {(round(f.origin[0]), round(f.origin[1])) for f in on_page}
    return placed >= 0.5 * chars and (len(on_page) < 2 or len(origins) > 1)


def build_lines(fragments: list[Fragment], geo: PageGeometry) -> list[Line]:
    """Lines per reading direction, the direction with the most text first."""
    by_frame: dict[int | None, list[Fragment]] = {}
    for fragment in fragments:
        by_frame.setdefault(fragment.frame, []).append(fragment)
    lines: list[Line] = []
    for frame, members in sorted(by_frame.items(), key=lambda kv: -sum(len(f.text) for f in kv[1])):
        stacks, rest = _vertical_stacks(members) if frame == 0 else ([], members)
        groups = [[f] for f in rest] if frame is None else _rows(rest)
        upright = [line for group in groups if (line := _join(group)) is not None]
        upright += [_stack_line(stack) for stack in stacks]
        # Top to bottom in the upright frame; the layout stage sets the reading order.
        for line in sorted(upright, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
            placed = _to_page(line, frame or 0, geo)
            if placed is not None:
                lines.append(placed)
    return lines


def page_wide_lines(text: str, geo: PageGeometry) -> list[Line]:
    """Fallback for unusable positions: the extracted lines, each boxed as the whole page."""
    width, height = (float(v) for v in geo.size)
    stripped = (" ".join(line.split()) for line in text.splitlines())
    return [_line(line, (0.0, 0.0, width, height)) for line in stripped if line]


def _vertical_stacks(
    fragments: list[Fragment],
) -> tuple[list[list[Fragment]], list[Fragment]]:
    """Runs of CJK characters drawn one below the other (vertical writing set glyph by
    glyph with a horizontal font), and the fragments that are not part of one.

    Grouped by baseline, such glyphs would make rows across the columns; as stacks
    they become the tall lines OCR reports for vertical text.
    """
    stacks: list[list[Fragment]] = []
    rest: list[Fragment] = []
    run: list[Fragment] = []
    for frag in [*sorted(fragments, key=lambda f: f.seq), None]:
        if frag is not None and run and _stacks_on(run[-1], frag):
            run.append(frag)
            continue
        if len(run) >= MIN_STACK:
            stacks.append(run)
        else:
            rest.extend(run)
        run = [frag] if frag is not None and _single_wide(frag) else []
        if frag is not None and not run:
            rest.append(frag)
    return stacks, rest


def _single_wide(frag: Fragment) -> bool:
    text = frag.text.strip()
    return len(text) == 1 and is_wide(text)


def _stacks_on(above: Fragment, frag: Fragment) -> bool:
    step = frag.box[1] - above.box[1]
    return (
        frag.seq == above.seq + 1
        and _single_wide(frag)
        and abs(frag.box[0] - above.box[0]) <= STACK_ALIGN_EM * above.em
        and STACK_STEP_EM[0] * above.em <= step <= STACK_STEP_EM[1] * above.em
    )


def _stack_line(stack: list[Fragment]) -> Line:
    box = stack[0].box
    for frag in stack[1:]:
        box = _union(box, frag.box)
    words = tuple(Word(f.text.strip(), f.box) for f in stack)
    return Line("".join(w.text for w in words), None, _polygon(box), words)


def _rows(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Group fragments of one direction by baseline, cut at wide gaps, left to right."""
    groups: list[list[Fragment]] = []
    row: list[Fragment] = []
    for frag in sorted(fragments, key=lambda f: f.box[3]):
        if row and abs(frag.box[3] - row[0].box[3]) > BASELINE_TOLERANCE_EM * row[0].em:
            groups.extend(_split_columns(row))
            row = []
        row.append(frag)
    return groups + (_split_columns(row) if row else [])


def _split_columns(row: list[Fragment]) -> list[list[Fragment]]:
    row.sort(key=lambda f: f.box[0])
    pieces: list[list[Fragment]] = [[row[0]]]
    for prev, frag in itertools.pairwise(row):
        gap = frag.box[0] - prev.box[2]
        if not _contiguous(prev, frag) and gap > COLUMN_GAP_EM * max(prev.em, frag.em):
            pieces.append([])
        pieces[-1].append(frag)
    return pieces


def _join(group: list[Fragment]) -> Line | None:
    """One line from a group: joined text and words, boxes in the group's upright frame."""
    text = group[0].text
    words = list(group[0].words)
    for prev, frag in itertools.pairwise(group):
        direct = _joins_directly(prev, frag, text)
        if direct and words and frag.words and _continues_word(text, frag.text):
            # A word split across fragments (a font change inside it): one word.
            (last, box), (first, other) = words.pop(), frag.words[0]
            words.append((last + first, _union(box, other)))
            words.extend(frag.words[1:])
        else:
            words.extend(frag.words)
        text += frag.text if direct else " " + frag.text
    text = " ".join(text.split())
    corners = [p for f in group for p in ((f.box[0], f.box[1]), (f.box[2], f.box[3]))]
    if not text:
        return None
    return Line(text, None, _polygon(aabb(corners)), tuple(Word(w, b) for w, b in words))


def _to_page(line: Line, frame: int, geo: PageGeometry) -> Line | None:
    """Turn an upright line (and its words) back into page pixels, clipped to the page."""
    box = _page_box(line.bbox, frame, geo)
    if box is None:
        return None  # entirely off the rendered page
    words = [
        Word(word.text, placed)
        for word in line.words
        if (placed := _page_box(word.bbox, frame, geo)) is not None
    ]
    return Line(line.text, None, _polygon(box), tuple(words))


def _page_box(box: Box, frame: int, geo: PageGeometry) -> Box | None:
    width, height = geo.size
    x0, y0, x1, y1 = box
    if frame:
        x0, y0, x1, y1 = aabb([turn(-frame, x0, y0), turn(-frame, x1, y1)])
    clipped = (max(x0, 0.0), max(y0, 0.0), min(x1, float(width)), min(y1, float(height)))
    return clipped if clipped[2] > clipped[0] and clipped[3] > clipped[1] else None


def _line(text: str, box: Box) -> Line:
    """A text-layer line without words: no confidence to report."""
    return Line(text, None, _polygon(box))


def _polygon(box: Box) -> tuple[tuple[float, float], ...]:
    """Clockwise from the top-left corner."""
    x0, y0, x1, y1 = box
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _continues_word(text: str, following: str) -> bool:
    """Whether ``following`` goes on with the word ``text`` ends in."""
    last, first = text[-1:], following[:1]
    return bool(last and first) and not (
        last.isspace() or first.isspace() or is_wide(last) or is_wide(first)
    )


def _contiguous(prev: Fragment, frag: Fragment) -> bool:
    # Consecutive fragments of one pypdf line already carry pypdf's word spacing.
    return frag.seq == prev.seq + 1 and not frag.break_before


def _joins_directly(prev: Fragment, frag: Fragment, text: str) -> bool:
    """Whether ``frag`` follows ``text`` without an added space."""
    if _contiguous(prev, frag) or text[-1:].isspace() or frag.text[:1].isspace():
        return True
    return is_wide(text[-1]) and is_wide(frag.text[0])  # CJK does not separate words
