"""The configuration table of the README, generated from the settings class.

``python -m app.config_doc`` prints it; a test keeps the README in sync.
"""

from __future__ import annotations

from pydantic_core import PydanticUndefined

from app.config import PROJECT_ROOT, Settings


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return "number of CPU cores" if name == "cpu_threads" else "computed"
    value = field.default
    if value is PydanticUndefined:
        return "required"
    text = str(value)
    return text.replace(str(PROJECT_ROOT), ".")


def config_table() -> str:
    """A Markdown table: variable, default, meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        env = "OCR_" + name.upper()
        rows.append(f"| `{env}` | `{_default(name)}` | {field.description or ''} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(config_table(), end="")
