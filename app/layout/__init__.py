"""Layout: one page's lines → blocks → paragraphs → lines in reading order.

``analyze`` (``reading``) orders plain lines: the stage knows nothing of where they came
from (OCR or a PDF text layer), only boxes and text. ``analyze_regions`` (``regions``)
does the same over the layout model's typed regions, one block per region.
"""

from app.layout.reading import analyze, page_skew
from app.layout.regions import analyze_regions

__all__ = ["analyze", "analyze_regions", "page_skew"]
