"""The service: one document start to finish, rendered, for every caller.

``OCRService`` (``ocr_service``) drives the flow — documents → engine → layout →
formats — and ``OpenedDocument`` (``opened``) is a document being read page by page.
"""

from app.service.ocr_service import OCRService, Rendered
from app.service.opened import OpenedDocument, lay_out

__all__ = ["OCRService", "OpenedDocument", "Rendered", "lay_out"]
