"""Reference material generated from the code: the events catalogue and procedure diagrams.

The checked-in copies under ``docs/`` are compared with these in the test suite, so the docs
cannot drift from the code.
"""

from __future__ import annotations

import re
import typing

import attrs

from communitygov.kernel.events import EVENTS, EventRegistry

__all__ = ["events_markdown"]


def _type_name(annotation: object) -> str:
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    text = re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)
    return text.replace("|", "\\|")


def events_markdown(registry: EventRegistry = EVENTS) -> str:
    """A Markdown table of every registered event: stable name, version, class and fields."""
    rows = [
        "| type name | schema | class | fields |",
        "|---|---|---|---|",
    ]
    for cls in sorted(registry, key=lambda cls: cls.type_name):
        hints = typing.get_type_hints(cls)
        fields = ", ".join(
            f"`{field.name}: {_type_name(hints[field.name])}`" for field in attrs.fields(cls)
        )
        rows.append(f"| `{cls.type_name}` | {cls.schema_version} | `{cls.__name__}` | {fields} |")
    return "\n".join(rows) + "\n"
