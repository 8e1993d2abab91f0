"""Typed errors: each one a stable code and the HTTP status it is answered with.

Pure types, no web framework: documents, engine, layout and formats raise them
without knowing they will become HTTP answers; ``app.api.error_handlers`` is the
one place that turns them into the envelope::

    {"error": {"code": "...", "message": "...", "request_id": "..."}}

The message is written for the client (never an exception's text from a library).
"""

from __future__ import annotations

from typing import ClassVar


class OCRServiceError(Exception):
    """Base of every error the service reports on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class MissingFile(OCRServiceError):
    status_code = 422
    code = "missing_file"


class Unauthorized(OCRServiceError):
    """API keys are configured and the request carries none of them."""

    status_code = 401
    code = "unauthorized"


class InvalidOption(OCRServiceError):
    status_code = 422
    code = "invalid_option"


class CallbackRefused(OCRServiceError):
    """A job's ``callback_url`` names a host or address the webhook allow-list refuses
    (or webhooks are off); nothing is accepted and the host is never contacted."""

    status_code = 422
    code = "callback_refused"


class UnsupportedLanguage(OCRServiceError):
    """No installed model set reads the requested ``lang`` (the message lists those that do)."""

    status_code = 422
    code = "unsupported_language"


class UnknownModelSet(OCRServiceError):
    """The requested ``model`` names no installed set (the message lists them)."""

    status_code = 422
    code = "unknown_model_set"


class EmptyFile(OCRServiceError):
    status_code = 400
    code = "empty_file"


class UnsupportedMediaType(OCRServiceError):
    status_code = 415
    code = "unsupported_media_type"


class CorruptFile(OCRServiceError):
    status_code = 422
    code = "corrupt_file"


class FileTooLarge(OCRServiceError):
    status_code = 413
    code = "file_too_large"


class ImageTooLarge(OCRServiceError):
    status_code = 413
    code = "image_too_large"


class PageLimitExceeded(OCRServiceError):
    status_code = 413
    code = "page_limit_exceeded"


class InvalidPages(OCRServiceError):
    status_code = 422
    code = "invalid_pages"


class PdfPasswordRequired(OCRServiceError):
    status_code = 422
    code = "pdf_password_required"


class PdfPasswordIncorrect(OCRServiceError):
    status_code = 422
    code = "pdf_password_incorrect"


class PageTooComplex(OCRServiceError):
    """A page whose rendering exceeds its time budget: the input's fault, not ours."""

    status_code = 422
    code = "page_too_complex"


class NotAcceptable(OCRServiceError):
    """The ``Accept`` header names no output format the service writes."""

    status_code = 406
    code = "not_acceptable"


class RenderFailed(OCRServiceError):
    """An output format could not be written from a read document (a bug or a PDF
    whose structure the writer cannot extend); never answered as a broken 200."""

    status_code = 500
    code = "render_failed"


class NotReady(OCRServiceError):
    status_code = 503
    code = "not_ready"


class Busy(OCRServiceError):
    status_code = 503
    code = "busy"


class RequestTimeout(OCRServiceError):
    status_code = 504
    code = "timeout"


class JobNotFound(OCRServiceError):
    """No job with this id is visible to the caller (malformed, unknown or another key's)."""

    status_code = 404
    code = "job_not_found"


class JobNotFinished(OCRServiceError):
    status_code = 409
    code = "job_not_finished"


class JobExpired(OCRServiceError):
    status_code = 410
    code = "job_expired"


class JobCanceled(OCRServiceError):
    status_code = 410
    code = "job_canceled"


class EngineError(OCRServiceError):
    """The inference backend failed; the message is ours, never the backend's."""

    status_code = 500
    code = "internal"


class ModelSetError(Exception):
    """A model set is missing, incomplete or fails its checksum (start-up only)."""


class DeviceUnavailable(Exception):
    """The configured device cannot be used here; the message says why (start-up only)."""
