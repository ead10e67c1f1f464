"""De-identification: what a public notice may show of a person (个人信息保护法).

Every notice the library renders about an assistance plan goes through a :class:`Disclosure`,
which knows the beneficiary's name, their sensitive details and whether separate consent to
publish the name is on record. It replaces the name with a de-identified form (周盛 → 周某)
unless that consent is on record, and removes every sensitive detail always: each as
recorded, however its characters are spaced and whatever their width, but not a paraphrase
of it (record each wording a notice may use). It does so in every text field of the notice,
whoever typed it, before the shared renderers
(:func:`~communitygov.publicity.notices.render_text`,
:func:`~communitygov.publicity.notices.render_markdown`) lay it out. Use it for a matter's
notices about a plan too (:meth:`Disclosure.notice`).

The rules and their basis:

- health and disability details are sensitive personal information (Art. 28) and are never
  shown in a notice;
- a name is made public only with separate consent (Art. 25);
- consent can be withdrawn (Art. 15): from then on the name is shown de-identified again.

>>> deidentify("周盛"), deidentify("欧阳修文"), deidentify("Mary Smith")
('周某', '欧阳某', 'M. S.')
>>> Disclosure(name="周盛", sensitive=("社交恐惧症",)).redact("周盛患社交恐惧症")
'周某患[已隐去 withheld]'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import attrs

from communitygov.kernel.checks import INVISIBLE, collected, declared_types, require_instance
from communitygov.publicity.notices import Notice, render_html, render_markdown, render_text

__all__ = ["COMPOUND_SURNAMES", "WITHHELD", "Disclosure", "deidentify", "redact"]

WITHHELD = "[已隐去 withheld]"
"""What a sensitive detail is replaced with."""

_COMPOUND = (
    "欧阳太史端木上官司马东方独孤南宫万俟闻人夏侯诸葛尉迟公羊赫连澹台皇甫宗政濮阳公冶太叔"
    "申屠公孙慕容仲孙钟离长孙宇文司徒鲜于司空令狐轩辕呼延西门百里东郭南门第五左丘梁丘拓跋"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND[i : i + 2] for i in range(0, len(_COMPOUND), 2))
"""Two-character surnames: 欧阳修文 becomes 欧阳某, not 欧某."""

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_DOTS = "·•‧・"
_WORDS = re.compile(r"[\s\-]+")

_SEPARATOR = rf"[\s\-\u2010-\u2015·•‧・{INVISIBLE}]"
"""What may stand between the words of a name as typed: white space, a hyphen or dash, a
middle dot (阿依古丽·买买提 is also typed 阿依古丽•买买提, 阿依古丽 买买提, 阿依古丽买买提), or a
character that shows nothing."""


def _compact(text: str) -> str:
    """``text`` without separators: 周 盛 and 周\u200b盛 are 周盛."""
    return re.sub(_SEPARATOR, "", text)


def deidentify(name: str) -> str:
    """The de-identified form of a name, for public notices.

    - A name in Chinese characters: the surname followed by 某 (周盛 → 周某; a compound
      surname such as 欧阳 or 司马 is kept whole: 欧阳修文 → 欧阳某).
    - A name transliterated with a middle dot (阿依古丽·买买提): its first character and 某.
    - Any other name: the initial of each word, with a full stop (Mary Smith → M. S.;
      Jean-Luc Picard → J. L. P.).

    A name in Chinese characters is read without what separates them (王 芳, 王　芳 and 王芳
    are all 王某). The result never contains the name itself, however spaced: where the rule
    would (a one-letter name, say), it is 某 instead (or 匿名 for the name 某).

    Raises:
        WrongType: ``name`` is not a text.
    """
    require_instance(name, str, "name")
    compact = _compact(name)
    if not compact:
        return "某"
    if _HAN.fullmatch(compact):
        compound = len(compact) > 2 and compact[:2] in COMPOUND_SURNAMES
        alias = (compact[:2] if compound else compact[0]) + "某"
    elif any(dot in name for dot in _DOTS):
        alias = compact[0] + "某"
    else:
        words = _WORDS.split(re.sub(f"[{INVISIBLE}]", "", name))
        alias = " ".join(f"{word[0].upper()}." for word in words if word)
    folded = compact.casefold()
    for candidate in (alias, "某"):
        if folded not in _compact(candidate).casefold():
            return candidate
    return "匿名"


_WIDE = 0xFEE0
"""How far the full-width forms (U+FF01–U+FF5E) lie from the ASCII characters they stand for
(a Chinese keyboard types ，for ,)."""


def _typed(char: str) -> str:
    """A pattern for ``char`` in either width: ``,`` or ``，``, ``A`` or ``Ａ``."""
    code = ord(char)
    if 0x21 <= code <= 0x7E:
        return f"[{re.escape(char)}{chr(code + _WIDE)}]"
    if 0xFF01 <= code <= 0xFF5E:
        return f"[{re.escape(chr(code - _WIDE))}{char}]"
    return re.escape(char)


@lru_cache(maxsize=1024)
def _pattern(secret: str) -> re.Pattern[str]:
    """``secret`` as it may be typed: its characters in order, ignoring case and width, with
    any separators (or none) between them (周盛 is also typed 周 盛 or, padded in a list of
    names, 周　盛)."""
    chars = [char for char in secret if not re.fullmatch(_SEPARATOR, char)]
    if not chars:  # nothing but separators: only itself
        return re.compile(re.escape(secret), re.IGNORECASE)
    return re.compile(f"{_SEPARATOR}*".join(map(_typed, chars)), re.IGNORECASE)


_ROUNDS = 8


def redact(text: str, replacements: Iterable[tuple[str, str]]) -> str:
    """``text`` with every ``secret`` of ``(secret, replacement)`` replaced, ignoring case, the
    width of letters, digits and punctuation (``，`` for ``,``), and however the secret's
    characters are separated (spaces, the ideographic space, hyphens, dashes, any of the
    middle dots, or nothing: a name registered as 阿依古丽·买买提 is found typed as
    阿依古丽•买买提, and 周盛 typed as 周　盛).

    Longer secrets go first, so a detail that contains another is replaced whole. The result
    contains none of the secrets, even where a replacement would bring one back (a
    replacement that contains a secret, or text that forms one around it): those occurrences
    are deleted. A secret is looked for without the whitespace around it (a name typed as
    ``"周盛 "`` is found in ``"周盛克服了…"``); blank secrets are ignored.
    """
    pairs = sorted(
        ((secret.strip(), replacement) for secret, replacement in replacements if secret.strip()),
        key=lambda pair: -len(pair[0]),
    )
    for _ in range(_ROUNDS):
        changed = False
        for secret, replacement in pairs:
            pattern = _pattern(secret)
            if pattern.search(text):
                text = pattern.sub(replacement.replace("\\", "\\\\"), text)
                changed = True
        if not changed:
            return text
    # Replacing keeps bringing a secret back: delete instead; every pass shortens the text.
    while any(_pattern(secret).search(text) for secret, _ in pairs):
        for secret, _ in pairs:
            text = _pattern(secret).sub("", text)
    return text


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return collected(tuple, value)


def _alias(disclosure: Disclosure) -> str:
    name: object = disclosure.name  # checked after the defaults are made: WrongType then
    return deidentify(name) if isinstance(name, str) else ""


@attrs.frozen(field_transformer=declared_types)
class Disclosure:
    """What public notices may show of one person.

    Attributes:
        name: the person's name (never shown unless ``may_name``).
        sensitive: their sensitive details (health, disability), never shown.
        may_name: whether separate consent to publish their name is on record and has not
            been withdrawn.
        alias: what is shown instead of the name; :func:`deidentify` of it by default.
    """

    name: str = attrs.field(repr=False)
    sensitive: tuple[str, ...] = attrs.field(default=(), converter=_texts, repr=False)
    may_name: bool = False
    alias: str = attrs.field(default=attrs.Factory(_alias, takes_self=True))

    @property
    def shown_name(self) -> str:
        """The name as notices show it: the name itself, or the alias."""
        return self.name if self.may_name else self.alias

    def redact(self, text: str) -> str:
        """``text`` with every sensitive detail withheld, and the name replaced by the alias
        unless it may be shown."""
        replacements = [(detail, WITHHELD) for detail in self.sensitive]
        if not self.may_name:
            replacements.append((self.name, self.alias))
        return redact(text, replacements)

    def notice(self, notice: Notice) -> Notice:
        """A copy of ``notice`` with every text field redacted (:meth:`redact`)."""
        return attrs.evolve(
            notice,
            community_id=self.redact(notice.community_id),
            subject_id=self.redact(notice.subject_id),
            subject=self.redact(notice.subject),
            text=self.redact(notice.text),
            place=self.redact(notice.place),
        )

    def render_text(self, notice: Notice) -> str:
        """``notice`` redacted and rendered as plain text."""
        return render_text(self.notice(notice))

    def render_markdown(self, notice: Notice) -> str:
        """``notice`` redacted and rendered as Markdown."""
        return render_markdown(self.notice(notice))

    def render_html(self, notice: Notice) -> str:
        """``notice`` redacted and rendered as an HTML ``<article>``."""
        return render_html(self.notice(notice))
