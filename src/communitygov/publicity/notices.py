"""Notices (公示): the posted texts of a decision's life, rendered for a notice board.

A :class:`Notice` is built from events, never typed twice: the resolution notice, each ruling on
an objection, and the result notice of a matter; the notices posted about an assistance plan;
a fund's statements of accounts. :func:`render_text`,
:func:`render_markdown` and :func:`render_html` lay a notice out with Chinese and English
headings.
"""

from __future__ import annotations

import html
from datetime import datetime
from enum import Enum

import attrs

from communitygov.kernel.checks import require_instance
from communitygov.kernel.periods import Period
from communitygov.kernel.timekeeping import minute_text

__all__ = [
    "Notice",
    "NoticeKind",
    "NoticeSubject",
    "render_html",
    "render_markdown",
    "render_text",
]


class _Labelled(Enum):
    """An enum whose members carry a label in Chinese and in English (:data:`_LABELS`)."""

    @property
    def zh(self) -> str:
        """The label in Chinese."""
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        """The label in English."""
        return _LABELS[self][1]


class NoticeKind(_Labelled):
    """What a notice announces; its labels are the notice's heading."""

    RESOLUTION = "resolution"
    OBJECTION_RULING = "objection_ruling"
    RESULT = "result"
    STATEMENT = "statement"


class NoticeSubject(_Labelled):
    """What a notice is about: a matter, an assistance plan, or a plan's fund."""

    MATTER = "matter"
    PLAN = "plan"
    FUND = "fund"


_LABELS: dict[_Labelled, tuple[str, str]] = {
    NoticeKind.RESOLUTION: ("决议公开", "Notice of resolution"),
    NoticeKind.OBJECTION_RULING: ("异议处理结果公示", "Ruling on an objection"),
    NoticeKind.RESULT: ("实施结果公开", "Notice of result"),
    NoticeKind.STATEMENT: ("收支公示", "Statement of accounts"),
    NoticeSubject.MATTER: ("事项", "Matter"),
    NoticeSubject.PLAN: ("帮扶计划", "Assistance plan"),
    NoticeSubject.FUND: ("帮扶基金", "Fund"),
}


@attrs.frozen(kw_only=True)
class Notice:
    """A posted notice.

    Attributes:
        kind: what it announces.
        community_id: whose board it is on.
        subject_id: the id of the matter, plan or fund it is about.
        subject: the title of what it is about.
        text: the body text.
        place: where it was posted.
        posted_at: when; the notices matters, plans and funds post tell it in their
            community's zone, as their periods are counted and shown.
        period: how long it stays up, if it has a period.
        ends_at: when that period ends.
        about: whether it is about a matter, a plan or a fund.
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
    about: NoticeSubject = NoticeSubject.MATTER


def _when(moment: datetime) -> str:
    return minute_text(moment)


def _rows(notice: Notice) -> list[tuple[str, str, str]]:
    """The notice's particulars: label in Chinese, label in English, value."""
    rows = [
        ("社区", "Community", notice.community_id),
        (notice.about.zh, notice.about.en, f"{notice.subject} ({notice.subject_id})"),
        ("张贴", "Posted", f"{_when(notice.posted_at)}, {notice.place}"),
    ]
    if notice.period is not None and notice.ends_at is not None:
        until = _when(notice.ends_at)
        rows.append(("公示期", "Period", f"{notice.period.zh} ({notice.period}), until {until}"))
    return rows


def render_text(notice: Notice) -> str:
    """The notice as plain text, for a terminal or a printed sheet.

    Raises:
        WrongType: ``notice`` is not a :class:`Notice`.
    """
    require_instance(notice, Notice, "notice")
    head = f"【{notice.kind.zh} {notice.kind.en}】"
    rows = (f"{zh} {en}: {value}" for zh, en, value in _rows(notice))
    return "\n".join([head, *rows, "", notice.text])


def render_markdown(notice: Notice) -> str:
    """The notice as Markdown (the text's lines kept apart with hard line breaks).

    Raises:
        WrongType: ``notice`` is not a :class:`Notice`.
    """
    require_instance(notice, Notice, "notice")
    rows = "\n".join(f"- **{zh} {en}**: {value}" for zh, en, value in _rows(notice))
    text = "  \n".join(notice.text.splitlines())
    return f"### {notice.kind.zh} · {notice.kind.en}\n\n{rows}\n\n{text}\n"


def render_html(notice: Notice) -> str:
    """The notice as an HTML ``<article>`` (every text escaped; English in ``lang="en"``
    spans; the text's lines kept apart with ``<br>``), for a page of the application's own.

    Raises:
        WrongType: ``notice`` is not a :class:`Notice`.
    """
    require_instance(notice, Notice, "notice")
    e = html.escape
    parts = [
        "<article>",
        f'<h2>{e(notice.kind.zh)} <span lang="en">{e(notice.kind.en)}</span></h2>',
        "<dl>",
        *(
            f'<dt>{e(zh)} <span lang="en">{e(en)}</span></dt><dd>{e(value)}</dd>'
            for zh, en, value in _rows(notice)
        ),
        "</dl>",
        f"<p>{'<br>'.join(e(line) for line in notice.text.splitlines())}</p>",
        "</article>",
    ]
    return "\n".join(parts)
