"""Paddle-Lite's ``opt`` converter, run as a subprocess.

A subprocess because ``opt`` aborts the whole process on models it cannot handle (and
segfaults on some x86 cases): edgeocr must survive that and turn it into a clear error.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from edgeocr.convert.runtimes.base import ConversionError, console_script

TIMEOUT_S = 600


def opt_binary() -> str:
    """The ``paddle_lite_opt`` console script of the pinned ``paddlelite`` package."""
    return console_script("paddle_lite_opt", "paddlelite")


@lru_cache(maxsize=1)
def converter_version() -> str:
    """Version string ``opt`` writes into every ``.nb`` (e.g. ``v2.13-rc``)."""
    from paddlelite.lite import Opt

    return Opt().version()


def _run(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([opt_binary(), *args], capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise ConversionError(f"paddle_lite_opt timed out after {TIMEOUT_S}s") from e


def supported_ops(pdmodel: str | os.PathLike, pdiparams: str | os.PathLike, places: list[str]) -> set[str]:
    """Ops of the model that ``opt`` can map to kernels of ``places`` (``--print_model_ops``).

    The command exits non-zero even on success (and aborts when ops are missing), so the
    answer is read from its table, never from its exit code.
    """
    proc = _run(["--print_model_ops=true", f"--model_file={pdmodel}", f"--param_file={pdiparams}",
                 f"--valid_targets={','.join(places)}"])
    supported = set()
    in_table = False
    for line in proc.stdout.splitlines():
        if line.strip().startswith("OP_name"):
            in_table = True
            continue
        tokens = line.split()
        if in_table and len(tokens) >= 2 and all(t == "Y" for t in tokens[1:]):
            supported.add(tokens[0])
        elif in_table and tokens and not re.fullmatch(r"[a-z0-9_]+", tokens[0]):
            in_table = False
    if not in_table and not supported:
        raise ConversionError(f"{pdmodel}: paddle_lite_opt could not read the model:\n{_tail(proc)}")
    return supported


def run_opt(pdmodel: str | os.PathLike, pdiparams: str | os.PathLike, places: list[str],
            out_prefix: str | os.PathLike) -> Path:
    """Convert to ``out_prefix + '.nb'`` (naive buffer) for ``places``."""
    proc = _run([f"--model_file={pdmodel}", f"--param_file={pdiparams}", f"--valid_targets={','.join(places)}",
                 "--optimize_out_type=naive_buffer", f"--optimize_out={out_prefix}"])
    out = Path(f"{out_prefix}.nb")
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise ConversionError(f"{pdmodel}: paddle_lite_opt failed (exit {proc.returncode}):\n{_tail(proc)}")
    return out


def _tail(proc: subprocess.CompletedProcess, lines: int = 15) -> str:
    text = (proc.stdout or "") + (proc.stderr or "")
    return "\n".join(text.strip().splitlines()[-lines:])
