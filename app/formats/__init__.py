"""Output formats: one module each, chosen by name (``app.domain.OutputFormat``) from one
registry (``app.formats.registry``), written from a read ``Document``.

Formats import only the domain, the errors and each other: they never know where a
document came from or how it was read.
"""
