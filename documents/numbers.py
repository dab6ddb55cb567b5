"""Document and foreign ID numbers as keys. Pure Python."""

from __future__ import annotations

import re

__all__ = ["document_key"]

_SEPARATORS = re.compile(r"[\s\-./]")


def document_key(value: str) -> str:
    """A document or foreign ID number without spaces, hyphens, dots and slashes, upper case."""
    return _SEPARATORS.sub("", value).upper()
