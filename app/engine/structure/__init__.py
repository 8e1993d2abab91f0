"""Document structure models: layout regions and table structure (issue 21).

Standalone wrappers around two ONNX files shipped inside pinned PyPI wheels
(see ``docs/structure-models.md`` and ``requirements-structure.txt``). Nothing
here is wired into the service yet; the modules take numpy pages and give back
plain frozen dataclasses so the engine pool can run them like recognition.
"""
