"""Comparing release versions as numbers (``1.23.2`` < ``1.29.0``), not as text."""

from __future__ import annotations

import re


def release_key(version: str) -> tuple[int, ...]:
    """The first three numbers of ``version`` (``1.23.2+cpu`` -> ``(1, 23, 2)``), for ordering releases."""
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])
