"""The one digest Gazette uses to tell whether anything changed: short, fast, stable."""

from __future__ import annotations

import hashlib


def digest(*parts: str) -> str:
    """A digest of text parts, each ended by a NUL so ("ab", "c") differs from ("a", "bc");
    lone surrogates (file names that are not UTF-8) are digested, not refused."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def bytes_digest(data: bytes) -> str:
    """A digest of a file's bytes, as the cache keeps it to see whether the file changed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
