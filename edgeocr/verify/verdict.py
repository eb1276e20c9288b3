"""When a bundle passes: ARM's results against the host's, with documented thresholds.

A float model must decide exactly as the host does — the kernels compute the same function
in another order, so a flipped decision is a bug, except for the rare mask pixel that lies
within rounding of the det threshold. An int8 model runs real int8 kernels on ARM but is
simulated in float on the host, so it may differ by about one quantization step: a few
decisions in a hundred may flip, no more. End to end, a float bundle must read every line
as the host does, with every box within a pixel; a bundle with an int8 model must read 99% of
the lines as the host does — or, where the host itself reads more lines differently from its
own plain run under numerically negligible noise (``noise_floor``), no more than a one-sided
binomial test at 1% allows at that rate — and its boxes are reported, not judged: an int8
detector's probabilities move by a quantization step, which moves a box edge by a pixel or two
(measured: PTQ det, 86-90% of boxes within 1 px).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Mapping

from edgeocr.verify.outputs import ModelAgreement


@dataclass(frozen=True)
class Thresholds:
    """Least shares of agreement with the host."""

    text: float         # end to end: lines with the same text (of the host's and the device's lines)
    box: float | None   # end to end: lines whose box is within 1 px (None: reported, not judged)
    decisions: Mapping[str, float]  # per model: det mask pixels, cls turns, rec line texts

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "box": self.box, "decisions": dict(self.decisions)}


FLOAT = Thresholds(text=1.0, box=1.0, decisions={"det": 0.999, "cls": 1.0, "rec": 1.0})
INT8 = Thresholds(text=0.99, box=None, decisions={"det": 0.99, "cls": 0.99, "rec": 0.99})


NOISE_TEST_LEVEL = 0.01


def allowed_differences(lines: int, rate: float, level: float = NOISE_TEST_LEVEL) -> int:
    """The most of ``lines`` lines that may read differently from the host when the host itself
    reads a share ``rate`` differently under noise: the least ``k`` with P(Binomial(lines, rate)
    > k) <= ``level``."""
    tail, k = 1.0, 0
    while True:
        tail -= math.comb(lines, k) * rate ** k * (1 - rate) ** (lines - k)
        if tail <= level or k >= lines:
            return k
        k += 1


@dataclass(frozen=True)
class Verdict:
    passed: bool
    failures: tuple[str, ...]   # one sentence per threshold missed, the model named first
    thresholds: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "failures": list(self.failures), "thresholds": self.thresholds}


def judge_record(record: Mapping[str, Any]) -> Verdict:
    """The verdict on the figures of a ``verify.json`` record, by today's thresholds (figures
    measured once on ARM can be judged again without running anything; records from before the
    noise floor have none)."""
    models = {}
    for task, a in record["models"].items():
        models[task] = ModelAgreement(calls=a["calls"], values=a["values"], max_abs=a["max_abs"],
                                      sum_abs=a["mean_abs"] * a["values"], decisions=a["decisions"],
                                      decisions_differ=a["decisions_differ"], first_divergence=a["first_divergence"])
    floor = record.get("noise_floor")
    return judge(record["end_to_end"], models, record["quantized"], floor["rate"] if floor else None)


def judge(parity: Mapping[str, Any], models: Mapping[str, ModelAgreement], quantized: Mapping[str, bool],
          noise_rate: float | None = None) -> Verdict:
    """The verdict on one bundle from its end-to-end ``parity`` figures and each model's
    output agreement; ``quantized`` says which models are int8; ``noise_rate`` is the share of
    lines the host reads differently from its own plain run under noise (int8 bundles only)."""
    failures = []
    per_model = {m: (INT8 if quantized.get(m) else FLOAT).decisions[m] for m in models}
    for model, agreement in models.items():
        least = per_model[model]
        if agreement.decision_agreement < least:
            first = agreement.first_divergence or {}
            failures.append(f"{model}: {agreement.decisions_differ} of {agreement.decisions} decisions differ from "
                            f"the host ({agreement.decision_agreement:.2%} agree, at least {least:.1%} needed); first "
                            f"at call {first.get('call')} on image {first.get('image')} (max output diff "
                            f"{agreement.max_abs:.3g})")
    int8 = any(quantized.values())
    e2e = INT8 if int8 else FLOAT
    floor = ""
    if int8 and noise_rate is not None and parity["lines"]:
        allowed = allowed_differences(parity["lines"], noise_rate)
        least = 1 - allowed / parity["lines"]
        if least < e2e.text:
            e2e = replace(e2e, text=least)
            floor = (f"; the host itself reads {noise_rate:.2%} of lines differently under noise, so at most "
                     f"{allowed} of {parity['lines']} may differ")
    for key, least in (("text", e2e.text), ("box", e2e.box)):
        share = parity[f"{key}_agreement"]
        if least is not None and share < least:
            failures.append(f"end to end: {share:.2%} of lines agree with the host on {key} (at least {least:.2%} "
                            f"needed{floor if key == 'text' else ''})")
    return Verdict(not failures, tuple(failures), {"end_to_end": e2e.to_json(), "decisions": per_model,
                                                   "noise_rate": noise_rate})
