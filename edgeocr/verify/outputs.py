"""Per model, how the device's raw outputs differ from the host's on the very same inputs.

Each recorded call's input goes through the host backend (Paddle Inference on the bundle's
source models); the two outputs are compared as numbers (largest and mean absolute
difference) and as the decisions the pipeline takes from them, which is what a user sees:

- det: pixels of the text mask (probability > ``det_db_thresh``) that flip;
- cls: crops whose turn decision flips (PaddleOCR turns a crop when "180" wins with a score
  above ``cls_thresh``);
- rec: lines whose greedy CTC text differs (but for spaces at its ends: ``parity.line_text``).

The blank inferences a runner makes while loading the models (calls of no image) are not
compared: they are no input a user's image produces.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from edgeocr.config import OCRConfig
from edgeocr.models.charset import Charset
from edgeocr.ocr.postprocess.ctc import CTCLabelDecode
from edgeocr.ocr.backends.recording import Call, Recording
from edgeocr.verify.parity import line_text

Infer = Callable[[str, np.ndarray], np.ndarray]


@dataclass
class ModelAgreement:
    """What one model's device outputs did, against the host's."""

    calls: int = 0
    values: int = 0
    max_abs: float = 0.0
    sum_abs: float = 0.0
    decisions: int = 0          # mask pixels, crops or lines decided
    decisions_differ: int = 0
    first_divergence: dict[str, Any] | None = field(default=None)  # the first call whose decisions differ

    @property
    def decision_agreement(self) -> float:
        return 1.0 - self.decisions_differ / self.decisions if self.decisions else 1.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("sum_abs")
        return {**out, "mean_abs": self.sum_abs / self.values if self.values else 0.0,
                "decision_agreement": self.decision_agreement}


def _turned(probs: np.ndarray, thresh: float) -> np.ndarray:
    return (probs.argmax(axis=1) == 1) & (probs.max(axis=1) > thresh)


def decisions(model: str, output: np.ndarray, config: OCRConfig, decode: CTCLabelDecode) -> np.ndarray:
    """The pipeline's decisions from one output, flattened (mask pixels, turns, texts)."""
    if model == "det":
        return (output > config.det_db_thresh).ravel()
    if model == "cls":
        return _turned(output, config.cls_thresh)
    return np.array([line_text(text) for text, _ in decode(output)], dtype=object)


def compare_outputs(recording: Recording, host: Infer, config: OCRConfig, charset: Charset) -> dict[str, ModelAgreement]:
    """``model -> ModelAgreement`` over every call of ``recording`` (``host(model, input)``
    gives the host's output)."""
    decode = CTCLabelDecode(charset)
    found: dict[str, ModelAgreement] = {}
    for call in recording.calls():
        if call.image is None:
            continue
        expected = host(call.model, call.input)
        agreement = found.setdefault(call.model, ModelAgreement())
        _add(agreement, call, expected, config, decode)
    return found


def _add(agreement: ModelAgreement, call: Call, expected: np.ndarray, config: OCRConfig,
         decode: CTCLabelDecode) -> None:
    if expected.shape != call.output.shape:
        raise ValueError(f"call {call.index} ({call.model}): device output shape {list(call.output.shape)}, "
                         f"host {list(expected.shape)}")
    diff = np.abs(expected.astype(np.float64) - call.output)
    ours, theirs = (decisions(call.model, o, config, decode) for o in (expected, call.output))
    differ = int((ours != theirs).sum())
    agreement.calls += 1
    agreement.values += diff.size
    agreement.max_abs = max(agreement.max_abs, float(diff.max(initial=0.0)))
    agreement.sum_abs += float(diff.sum())
    agreement.decisions += ours.size
    agreement.decisions_differ += differ
    if differ and agreement.first_divergence is None:
        agreement.first_divergence = {"call": call.index, "image": call.image, "differ": differ,
                                      "of": int(ours.size), "input_shape": list(call.input.shape)}
