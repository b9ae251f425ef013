"""Content-addressed storage of uploaded documents behind a small interface.

A document is stored once under its SHA-256 (hex): the same file uploaded twice is one object,
and the hash in the database is the proof of what was stored. ``LocalStore`` keeps the files
under the instance folder (``instance/documents/ab/abcdef…``), written to a temporary name and
renamed, so a reader never sees half a file. Another backend (an S3-compatible object store) is
a class with the same three methods; docs/operations.md says how to add it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class DocumentStore(Protocol):
    """Where document bytes live; keys are SHA-256 hex digests of the content."""

    def put(self, data: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...


class MissingDocument(LookupError):
    """The store has no object under that hash (lost file, or another instance folder)."""


class LocalStore:
    """Files under ``root``, two-level fan-out by the first two hex digits."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise MissingDocument(sha256)
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self._path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise MissingDocument(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise MissingDocument(sha256)  # damaged on disk: never serve other bytes
        return data

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).exists()
        except MissingDocument:
            return False


def document_store() -> DocumentStore:
    """The store configured for this app (``DOCUMENTS_DIR``, default ``instance/documents``)."""
    from flask import current_app

    return LocalStore(current_app.config["DOCUMENTS_DIR"])
