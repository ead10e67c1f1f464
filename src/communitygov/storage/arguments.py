"""The checks every store makes of what a read names, so that all of them answer alike.

A read names its community, stream or command by text and counts versions, positions and
page sizes in whole numbers; anything else is refused with :class:`~communitygov.WrongType`
before the store is asked, where one store's dictionary would raise ``TypeError``, SQLite
would compare ``5`` with ``"5"`` and PostgreSQL would refuse the query.
"""

from __future__ import annotations

from communitygov.errors import WrongType

__all__ = ["require_texts", "require_texts_or_none", "require_wholes"]


def require_texts(**named: object) -> None:
    """Refuse the first value that is not text.

    Raises:
        WrongType: naming the argument.
    """
    for field, value in named.items():
        if not isinstance(value, str):
            raise WrongType(field, value, "a text")


def require_texts_or_none(**named: object) -> None:
    """:func:`require_texts` for filters, where ``None`` stands for "any"."""
    require_texts(**{field: value for field, value in named.items() if value is not None})


def require_wholes(**named: object) -> None:
    """Refuse the first value that is not a whole number (a ``bool`` is not one here).

    Raises:
        WrongType: naming the argument.
    """
    for field, value in named.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise WrongType(field, value, "a whole number")
