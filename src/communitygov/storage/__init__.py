"""Storage: the store protocol, its records, the shipped adapters and :func:`open_store`."""

from communitygov.storage.urls import open_store

__all__ = ["open_store"]
