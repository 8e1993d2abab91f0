"""Dropping a page's invisible text (render mode 3) before the new text layer goes on.

A page OCRed again (``existing_text=redo`` or ``force``, or a layer not trusted)
may carry an earlier OCR run's invisible layer: left in place, search would find
every word twice and copy and paste double it. Its text-showing operators are
removed wherever the text render mode is 3 — in the page's content and in the
form XObjects it draws (OCRmyPDF puts its layer in one), copied before they are
changed, since other pages may draw them too. Everything else stays as it was:
visible text, images, paths, and mode 7 (invisible but clipping), which shapes
what is drawn after it. A page with nothing to drop is not rewritten at all.
"""

from __future__ import annotations

from typing import Final

import pikepdf
from pikepdf import ContentStreamInlineImage, ContentStreamInstruction, Dictionary, Name, Operator

Item = ContentStreamInstruction | ContentStreamInlineImage

INVISIBLE: Final = 3
MAX_DEPTH: Final = 8
"""Forms drawing forms: deeper nesting is left alone (no OCR layer nests so)."""
_SHOW: Final = frozenset({"Tj", "TJ"})


class _Stripper:
    """Walks content streams keeping the text render mode, as a viewer would."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.removed = 0

    def strip(self, source: pikepdf.Object, resources: pikepdf.Object | None, mode: int,
              depth: int) -> tuple[list[Item], bool]:
        """The instructions of ``source`` without invisible text; whether any was dropped."""
        out: list[Item] = []
        stack: list[int] = []
        changed = False
        for item in pikepdf.parse_content_stream(source):
            if not isinstance(item, ContentStreamInstruction):
                out.append(item)  # inline images
                continue
            op = str(item.operator)
            if op == "q":
                stack.append(mode)
            elif op == "Q" and stack:
                mode = stack.pop()
            elif op == "Tr" and item.operands:
                mode = int(item.operands[0])
            elif mode == INVISIBLE and op in _SHOW:
                self.removed += 1
                changed = True
                continue
            elif mode == INVISIBLE and op in ("'", '"'):
                # These also move to the next line (and " sets the spacings): keep that.
                self.removed += 1
                changed = True
                if op == '"':
                    out.append(ContentStreamInstruction([item.operands[0]], Operator("Tw")))
                    out.append(ContentStreamInstruction([item.operands[1]], Operator("Tc")))
                out.append(ContentStreamInstruction([], Operator("T*")))
                continue
            elif op == "Do" and resources is not None and depth < MAX_DEPTH:
                changed |= self._form(resources, item.operands[0], mode, depth)
            out.append(item)
        return out, changed

    def _form(self, resources: pikepdf.Object, name: pikepdf.Object, mode: int,
              depth: int) -> bool:
        """Strip a drawn form into a copy registered in ``resources``; whether it changed."""
        xobjects = resources.get("/XObject")
        if not isinstance(xobjects, Dictionary):
            return False
        key = str(name)
        form = xobjects.get(key)
        if not isinstance(form, pikepdf.Stream) or form.get("/Subtype") != Name.Form:
            return False
        instructions, changed = self.strip(form, form.get("/Resources", resources), mode,
                                           depth + 1)
        if not changed:
            return False
        copy = pikepdf.Stream(self.pdf, pikepdf.unparse_content_stream(instructions))
        for entry, value in form.items():
            if entry not in ("/Length", "/Filter", "/DecodeParms"):
                copy[entry] = value
        own = Dictionary({k: v for k, v in xobjects.items()})
        own[key] = self.pdf.make_indirect(copy)
        resources.XObject = own
        return True


def strip_invisible_text(pdf: pikepdf.Pdf, page: pikepdf.Page) -> int:
    """Remove ``page``'s invisible text; returns how many text operators were dropped.

    The page must own its /Resources dictionary (a changed form is registered there).
    """
    stripper = _Stripper(pdf)
    instructions, changed = stripper.strip(page.obj, page.obj.get("/Resources"), 0, 0)
    if changed:
        page.obj.Contents = pikepdf.Stream(pdf, pikepdf.unparse_content_stream(instructions))
    return stripper.removed
