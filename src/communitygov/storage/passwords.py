"""Passwords in store URLs and DSNs, found so that messages and logs never show them.

A password sits in a URL's user information (``postgresql://clerk:secret@host/db``, where
libpq reads it up to an ``@`` before the first ``/``, so an unescaped ``?`` or ``#`` is part
of it), in its query (``?password=secret``, ``sslpassword=``, ``oauth_client_secret=``, the
name %-escaped or not), or in a libpq key/value DSN (``host=db password=secret`` or
``password='s e c r e t'``). What is found is written ``***``, and so is what only might be
one: a password holding an unescaped ``@`` or ``/``, which libpq would split (a database
name holding an ``@`` after a port is hidden with it).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from communitygov.errors import WrongType

__all__ = ["passwords_in", "shown_url", "without_passwords"]

_SECRET = r"\w*(?:password|secret)"
"""The names of libpq's parameters that hold secrets: ``password``, ``sslpassword``,
``oauth_client_secret``."""

_KEYWORD = re.compile(
    rf"(?<![\w%]){_SECRET}\s*=\s*('(?:[^'\\]|\\.)*'?|(?:\\.|[^\s\\])*\\?)",
    re.IGNORECASE | re.ASCII,
)


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the secrets of ``text`` lie: (start, end) offsets, in order."""
    found = [match.span(1) for match in _KEYWORD.finditer(text)]
    scheme_end = text.find("://")
    if scheme_end >= 0 or "=" not in text:  # a URL, or what may be one without its scheme
        # In a URL a value ends at the next &, not at white space.
        found = [(begin, _before("&", text, begin, end)) for begin, end in found]
        start = scheme_end + 3 if scheme_end >= 0 else 0
        password, at = _user_password(text, start)
        found += password
        query = text.find("?", max(start, at + 1))
        if query >= 0:  # libpq reads no fragment: a # is part of a value
            offset = query + 1
            for pair in text[query + 1 :].split("&"):
                name, equals, _value = pair.partition("=")
                if equals and re.fullmatch(_SECRET, unquote(name).strip(), re.IGNORECASE):
                    found.append((offset + len(name) + 1, offset + len(pair)))
                offset += len(pair) + 1
    return sorted({span for span in found if span[1] > span[0]})


def _before(mark: str, text: str, begin: int, end: int) -> int:
    """Where ``mark`` first occurs in ``text[begin:end]``; ``end`` if it does not."""
    found = text.find(mark, begin, end)
    return end if found < 0 else found


def _user_password(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """Where the password in the user information of the URL ``text`` lies (a list of none
    or one span), and where that user information ends (its ``@``, or -1 when it has
    none); ``start`` is where the part after ``scheme://`` begins."""
    if text.startswith("/", start):  # no host (sqlite:///path, postgresql:///db)
        return [], -1
    slash = text.find("/", start)
    at = text.rfind("@", start, len(text) if slash < 0 else slash)
    if at < 0:  # a / in the password (as base64 has): take it for one to be safe
        query = text.find("?", start)
        at = text.rfind("@", start, len(text) if query < 0 else query)
    host_start = text.find("]", start, at) + 1 if text.startswith("[", start) else start
    colon = text.find(":", host_start, at) if at > 0 else -1
    return ([(colon + 1, at)] if colon >= 0 else []), at


def passwords_in(text: str) -> list[str]:
    """The secrets ``text`` (a URL or a DSN) holds, as written there; for a password holding
    an unescaped ``@``, also what follows its first ``@``, which libpq reads as the host."""
    found = [text[start:end] for start, end in _spans(text)]
    tails = [password.split("@", 1)[1] for password in found if "@" in password]
    return [secret for secret in found + tails if secret]


def shown_url(url: str) -> str:
    """``url`` (or a key/value DSN) as it may be shown or logged: its passwords and other
    secrets written ``***``.

    >>> shown_url("postgresql://clerk:s3cret@db.example/records?sslpassword=s3cret")
    'postgresql://clerk:***@db.example/records?sslpassword=***'

    Raises:
        WrongType: ``url`` is not text (nothing of it is shown).
    """
    if not isinstance(url, str):
        raise WrongType("url", type(url).__name__, "a text")
    shown = []
    last = 0
    for start, end in _spans(url):
        if start >= last:
            shown += [url[last:start], "***"]
            last = end
        elif end > last:  # overlapping spans: hide both
            last = end
    return "".join([*shown, url[last:]])


def without_passwords(message: str, *dsns: str) -> str:
    """A driver's ``message`` about a DSN with the passwords of each of ``dsns`` (the DSN as
    given, as the driver rewrote it), as written there and as %-decoded, written ``***``."""
    found = {password for dsn in dsns for password in passwords_in(dsn)}
    for written in sorted(found | {unquote(p) for p in found}, key=len, reverse=True):
        message = message.replace(written, "***")  # the longest first: one may hold another
    return message
