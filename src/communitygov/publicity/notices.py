"""Notices (公示): the posted texts of a decision's life, rendered for a notice board.

A :class:`Notice` is built from events, never typed twice: the resolution notice, each ruling on
an objection, and the result notice of a matter. :func:`render_text` and
:func:`render_markdown` lay a notice out with Chinese and English headings.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import attrs

from communitygov.kernel.periods import Period

__all__ = ["Notice", "NoticeKind", "render_markdown", "render_text"]


class NoticeKind(Enum):
    """What a notice announces."""

    RESOLUTION = "resolution"
    OBJECTION_RULING = "objection_ruling"
    RESULT = "result"

    @property
    def zh(self) -> str:
        """The heading in Chinese."""
        return _HEADINGS[self][0]

    @property
    def en(self) -> str:
        """The heading in English."""
        return _HEADINGS[self][1]


_HEADINGS = {
    NoticeKind.RESOLUTION: ("决议公开", "Notice of resolution"),
    NoticeKind.OBJECTION_RULING: ("异议处理结果公示", "Ruling on an objection"),
    NoticeKind.RESULT: ("实施结果公开", "Notice of result"),
}


@attrs.frozen(kw_only=True)
class Notice:
    """A posted notice.

    Attributes:
        kind: what it announces.
        community_id: whose board it is on.
        subject_id: the id of the matter (or plan) it is about.
        subject: the title of what it is about.
        text: the body text.
        place: where it was posted.
        posted_at: when.
        period: how long it stays up, if it has a period.
        ends_at: when that period ends.
    """

    kind: NoticeKind
    community_id: str
    subject_id: str
    subject: str
    text: str
    place: str
    posted_at: datetime
    period: Period | None = None
    ends_at: datetime | None = None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _lines(notice: Notice) -> list[tuple[str, str]]:
    rows = [
        ("社区 Community", notice.community_id),
        ("事项 Matter", f"{notice.subject} ({notice.subject_id})"),
        ("张贴 Posted", f"{_when(notice.posted_at)}, {notice.place}"),
    ]
    if notice.period is not None and notice.ends_at is not None:
        rows.append(
            (
                "公示期 Period",
                f"{notice.period.zh} ({notice.period}), until {_when(notice.ends_at)}",
            )
        )
    return rows


def render_text(notice: Notice) -> str:
    """The notice as plain text, for a terminal or a printed sheet."""
    head = f"【{notice.kind.zh} {notice.kind.en}】"
    body = [head, *(f"{label}: {value}" for label, value in _lines(notice)), "", notice.text]
    return "\n".join(body)


def render_markdown(notice: Notice) -> str:
    """The notice as Markdown."""
    rows = "\n".join(f"- **{label}**: {value}" for label, value in _lines(notice))
    return f"### {notice.kind.zh} · {notice.kind.en}\n\n{rows}\n\n{notice.text}\n"
