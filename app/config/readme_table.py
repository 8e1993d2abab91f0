"""The configuration table of the README, generated from the settings class.

``python -m app.config.readme_table`` prints it, ``python -m app.config.readme_table --write``
rewrites it in README.md; a test keeps the two in sync.
"""

from __future__ import annotations

import re
import sys

from pydantic_core import PydanticUndefined

from app.config import PROJECT_ROOT, Settings


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return "computed"
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


def write_readme() -> None:
    """Replace the table between the README's config-table markers."""
    readme = PROJECT_ROOT / "README.md"
    block = "<!-- config-table:start -->\n" + config_table() + "<!-- config-table:end -->"
    text = re.sub(
        r"<!-- config-table:start -->.*?<!-- config-table:end -->",
        lambda _: block,
        readme.read_text(encoding="utf-8"),
        flags=re.S,
    )
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_readme()
    else:
        print(config_table(), end="")
