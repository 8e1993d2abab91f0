"""The README's configuration table is generated from the settings."""

from __future__ import annotations


def test_readme_config_table_is_in_sync() -> None:
    from app.config.readme_table import config_table
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- config-table:start -->\n") + len("<!-- config-table:start -->\n")
    end = readme.index("<!-- config-table:end -->")
    assert readme[start:end] == config_table(), "run: python -m app.config.readme_table"
