"""Document structure models: layout regions and table structure (issue 21).

Wrappers around two ONNX files shipped inside pinned PyPI wheels (see
``docs/structure-models.md`` and ``requirements-structure.txt``): the modules take
numpy pages and give back plain frozen dataclasses. ``loading`` opens them at start
(never downloading), ``runner`` runs them on their own threads for the service.
"""
