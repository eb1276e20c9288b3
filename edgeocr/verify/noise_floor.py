"""The host's noise floor: how many lines the host reference itself reads differently when its
arithmetic is off by no more than two implementations of the model differ.

An int8 model is a chain of roundings: a value within float error of a rounding boundary lands a
step apart on another implementation, and the steps add up through the layers. Traced on the
shipped int8 detectors: every segment of the program, fed the host's own input, agrees with
Paddle-Lite's ARM kernels but for single steps at about 0.1% of its values, yet the whole
chain's probability maps differ at 36-88 mask pixels per scene. The host differs from itself as
much once its input carries relative noise of 1e-4 (PTQ: 78-94 pixels, ARM 83-88; PACT: 74-106,
ARM 36-57; the spread saturates: 1e-3 moves no more), while below that the input's own rounding
can absorb the noise entirely (PACT: 0 pixels at 1e-5). Which lines that changes is then the
model's own property, not either implementation's: the float models read every one of 126 lines
alike under noise 1e-4. So ``verify`` runs the reference ``runs`` times more with every model
input scaled by ``1 + RELATIVE_NOISE * N(0, 1)`` and gives the verdict the pooled rate of lines
read differently from the plain run (``verdict.allowed_differences``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from edgeocr.bundle import Bundle
from edgeocr.verify.parity import parity
from edgeocr.verify.reference import host_reference

RELATIVE_NOISE = 1e-4
RUNS = 4


def noise_floor(bundle: Bundle, images: Mapping[str, Path], host: Mapping[str, Any], mode: str,
                runs: int = RUNS, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """The host's agreement with its own plain run ``host`` under ``runs`` seeded perturbations
    (seeds 1..runs): the share of lines with the same text per run, and the pooled rate of lines
    that differ."""
    shares, lines, differ = [], 0, 0
    for seed in range(1, runs + 1):
        log(f"host noise floor: run {seed}/{runs} with relative input noise {RELATIVE_NOISE:g}")
        noisy = host_reference(bundle, images, mode, perturb=(RELATIVE_NOISE, seed))
        agreement = parity(host["images"], noisy["images"], f"host run with noise (seed {seed})")
        shares.append(agreement["text_agreement"])
        lines += agreement["lines"]
        differ += agreement["lines"] - agreement["same_text"]
    return {"relative_noise": RELATIVE_NOISE, "runs": runs, "text_agreement": shares, "lines": lines,
            "differ": differ, "rate": differ / lines if lines else 0.0}
