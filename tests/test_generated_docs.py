"""The generated reference in docs/ matches the code.

Regenerate with ``UPDATE_DOCS=1 pytest tests/test_generated_docs.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import communitygov as cg
from communitygov.catalogue import events_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"
BEGIN = "<!-- generated: communitygov events -->\n"
END = "<!-- end generated -->\n"
UPDATE = os.environ.get("UPDATE_DOCS") == "1"


def test_events_catalogue_is_current() -> None:
    path = DOCS / "events.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    current = head + BEGIN + events_markdown() + END + tail
    if UPDATE:
        path.write_text(current, encoding="utf-8")
        text = current
    assert text == current, "docs/events.md is stale: run UPDATE_DOCS=1 pytest " + __file__


@pytest.mark.parametrize("procedure", list(cg.PROCEDURES.values()), ids=lambda p: p.name)
def test_diagrams_are_current(procedure: cg.Procedure) -> None:
    path = DOCS / "diagrams" / f"{procedure.name}.mmd"
    if UPDATE:
        path.write_text(procedure.mermaid() + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == procedure.mermaid() + "\n", (
        f"{path.name} is stale: run UPDATE_DOCS=1 pytest {__file__}"
    )
