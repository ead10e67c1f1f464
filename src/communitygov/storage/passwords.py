"""Passwords in store URLs and DSNs, found so that messages and logs never show them.

A password sits in a URL's user information (``postgresql://clerk:secret@host/db``, where
libpq reads it up to an ``@`` before the first ``/``, so an unescaped ``?`` or ``#`` is part
of it), in its query (``?password=secret``, ``sslpassword=``, the name %-escaped or not), or
in a libpq key/value DSN (``host=db password=secret`` or ``password='s e c r e t'``).
What is found is written ``***``; what only might be one (a ``@`` left unescaped inside a
password) is hidden with it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["passwords_in", "shown_url", "without_passwords"]

_KEYWORD = re.compile(r"(?<![\w%])(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'?|\S*)", re.IGNORECASE)


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the passwords of ``text`` lie: (start, end) offsets, in order."""
    found = []
    scheme_end = text.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    slash = text.find("/", start)
    authority_end = len(text) if slash < 0 else slash
    at = text.rfind("@", start, authority_end)  # the last: a password may hold an @ itself
    colon = text.find(":", start, at) if at > 0 else -1
    if colon >= 0:
        found.append((colon + 1, at))
    query = text.find("?", max(authority_end, at + 1))
    if query >= 0:
        end = text.find("#", query)
        end = len(text) if end < 0 else end
        offset = query + 1
        for pair in text[query + 1 : end].split("&"):
            name, equals, value = pair.partition("=")
            if equals and unquote(name).strip().lower().endswith("password"):
                value_start = offset + len(name) + 1
                found.append((value_start, value_start + len(value)))
            offset += len(pair) + 1
    found += [match.span(1) for match in _KEYWORD.finditer(text)]
    return sorted({span for span in found if span[1] > span[0]})


def passwords_in(text: str) -> list[str]:
    """The passwords ``text`` (a URL or a DSN) holds, as written there; for one holding an
    unescaped ``@``, also what follows its first ``@``, which libpq reads as the host."""
    found = [text[start:end] for start, end in _spans(text)]
    return found + [password.split("@", 1)[1] for password in found if "@" in password]


def shown_url(url: str) -> str:
    """``url`` (or a key/value DSN) as it may be shown or logged: its passwords written
    ``***``.

    >>> shown_url("postgresql://clerk:s3cret@db.example/records?sslpassword=s3cret")
    'postgresql://clerk:***@db.example/records?sslpassword=***'
    """
    shown = []
    last = 0
    for start, end in _spans(url):
        if start >= last:
            shown += [url[last:start], "***"]
            last = end
    return "".join([*shown, url[last:]])


def without_passwords(message: str, *dsns: str) -> str:
    """A driver's ``message`` about a DSN with the passwords of each of ``dsns`` (the DSN as
    given, as the driver rewrote it), as written there and as %-decoded, written ``***``."""
    found = {password for dsn in dsns for password in passwords_in(dsn)}
    for written in sorted(found | {unquote(p) for p in found}, key=len, reverse=True):
        message = message.replace(written, "***")  # the longest first: one may hold another
    return message
