"""Reading the JSON files edgeocr writes (manifests, results), with errors that name the file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from edgeocr.errors import EdgeOCRError


def read_json_object(path: str | os.PathLike, what: str, error: type[EdgeOCRError]) -> dict[str, Any]:
    """The JSON object in ``path``; an unreadable file, bad JSON or another JSON value raise
    ``error`` naming the file and ``what`` it should have been."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise error(f"{p}: cannot read {what} ({e.strerror or e})") from None
    except ValueError as e:
        raise error(f"{p}: {what} is not JSON ({e})") from None
    if not isinstance(data, dict):
        raise error(f"{p}: {what} is not a JSON object")
    return data
