"""End-to-end agreement of a device run with the host reference run of the same images.

Lines are paired one-to-one by box IoU >= 0.5, as ground truth is; a pair agrees on text
when the texts are equal but for spaces at either end (``line_text``; ``same_text_exact``
counts strict equality), on the box when every corner is within ``BOX_TOLERANCE_PX``. A
line without a partner counts against both shares. Used as figures by ``bench`` and as a
gate by ``verify``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from edgeocr.metrics.det import match
from edgeocr.runner.contract import ContractError

BOX_TOLERANCE_PX = 1.0
Entry = Mapping[str, Any]


def line_text(text: str) -> str:
    """A line's text as it is compared: without spaces at its ends. A space there says nothing
    (lines are returned one by one), and whether CTC reads blank or space over a line's padded
    end is the least confident decision a recogniser takes: every int8 rec difference seen on
    the shipped PTQ model (Paddle-Lite ARM vs host, 126 lines) was a trailing space decided by a
    top-2 margin of 0.01-0.02. Spaces inside a line count."""
    return text.strip(" ")


def by_name(images: Sequence[Entry], names: Sequence[str], source: str) -> dict[str, Entry]:
    """Image entries by file name; every one of ``names`` must be there."""
    found = {entry["image"]: entry for entry in images}
    missing = [n for n in names if n not in found]
    if missing:
        raise ContractError(f"{source}: no result for {len(missing)} image(s): {', '.join(missing[:5])}")
    return found


def parity(host: Sequence[Entry], device: Sequence[Entry], source: str) -> dict[str, Any]:
    """Agreement of ``device`` image entries with the ``host`` reference ones (see the module doc)."""
    entries = by_name(device, [h["image"] for h in host], source)
    totals = dict.fromkeys(("host_lines", "device_lines", "paired", "same_text", "same_text_exact",
                            "box_within_tolerance", "identical_images"), 0)
    worst_box = worst_score = 0.0
    for reference in host:
        ours, theirs = reference["lines"], entries[reference["image"]]["lines"]
        pairs = match([line["box"] for line in ours], [False] * len(ours), [line["box"] for line in theirs]).pairs
        texts = exact = boxes = 0
        for i, j in pairs:
            diff = float(np.abs(np.asarray(ours[i]["box"]) - np.asarray(theirs[j]["box"])).max())
            worst_box = max(worst_box, diff)
            worst_score = max(worst_score, abs(ours[i]["score"] - theirs[j]["score"]))
            texts += line_text(ours[i]["text"]) == line_text(theirs[j]["text"])
            exact += ours[i]["text"] == theirs[j]["text"]
            boxes += diff <= BOX_TOLERANCE_PX
        totals["host_lines"] += len(ours)
        totals["device_lines"] += len(theirs)
        totals["paired"] += len(pairs)
        totals["same_text"] += texts
        totals["same_text_exact"] += exact
        totals["box_within_tolerance"] += boxes
        totals["identical_images"] += len(ours) == len(theirs) == len(pairs) == texts == boxes
    lines = sum(max(len(h["lines"]), len(entries[h["image"]]["lines"])) for h in host)
    return {
        "images": len(host),
        "lines": lines,
        **totals,
        "text_agreement": totals["same_text"] / lines if lines else 1.0,
        "box_agreement": totals["box_within_tolerance"] / lines if lines else 1.0,
        "box_tolerance_px": BOX_TOLERANCE_PX,
        "max_box_diff_px": worst_box,
        "max_score_diff": worst_score,
    }


