"""The runner contract: how edgeocr starts an OCR runner on a device, and what the runner writes.

Every runner — the Python runner of this package, the native C++ runner for Android and ARM
Linux — is a command-line program with the same options and the same JSON output, so
``deploy`` and ``bench`` drive them alike and one validator (``validate_result``) checks both.

Command line::

    RUNNER --bundle DIR --images DIR --out FILE.json [--threads N] [--power-mode MODE]
           [--warmup N] [--repeats N] [--mode det_cls_rec|det_rec|rec]
    RUNNER --probe

- ``--bundle``: a bundle folder made by ``edgeocr convert`` (``config.json`` names the files).
- ``--images``: the image files directly in DIR (not recursive), run in sorted file-name order;
  every runner reads JPEG, PNG and BMP. The image is decoded before its timed runs.
- ``--threads`` (>= 1, default 1) and ``--power-mode`` (``POWER_MODES``, default ``high``):
  Paddle-Lite's ``set_threads`` / ``set_power_mode``. A runner that cannot apply one says so
  in ``applied`` and ``notes``; it never pretends.
- ``--warmup`` (>= 0, default 1) untimed-for-statistics runs per image, then ``--repeats``
  (>= 1, default 10) timed runs per image. Warm-up is per image because a runtime may plan
  per input shape, and every image has its own shape.
- ``--mode``: ``det_cls_rec`` (the full pipeline), ``det_rec`` (no direction classifier),
  ``rec`` (each image is one text-line crop; recognition only).
- ``--out``: the result file; its folder exists (the caller makes it).
- ``--probe``: print one JSON object (``validate_probe``) naming the runner and the runtime
  version it loaded, exit 0; deploy runs it to check the runtime before pushing models.
- ``--record DIR`` (optional): also write every model call's input and output into DIR, in
  the format of ``edgeocr.ocr.backends.recording`` (``calls.json`` + raw float32 files), so
  ``edgeocr verify`` can compare the device's raw model outputs with the host's on the very
  same inputs. DIR exists (the caller makes it).

Output (``--out``, UTF-8 JSON, ``SCHEMA``)::

    {"schema": "edgeocr-runner-result/1",
     "runner": {"name": str, "version": str, "backend": str},
     "runtime_version": str,                    # e.g. "v2.13-rc"
     "options": {"bundle", "images", "out", "threads", "power_mode", "warmup", "repeats", "mode"},
     "applied": {"threads": bool, "power_mode": bool},
     "notes": [str, ...],                       # anything a reader must know about this run
     "init_ms": float,                          # load every model + one blank inference each
     "peak_rss_kb": int | null,                 # VmHWM of the runner process at the end
     "drop_score": float,                       # the bundle's drop_score; NOT applied (below)
     "images": [{"image": "name.jpg",           # file name inside --images
                 "height": int, "width": int,
                 "lines": [{"box": [[x, y] * 4], "text": str, "score": float}, ...],
                 "consistent": bool,            # every timed run gave the same texts
                 "warmup_ms": [float, ...],     # end-to-end time of each warm-up run
                 "runs_ms": [{STAGE: float, ...}, ...]}]}   # one per repeat, STAGES[mode]

``lines`` holds every detected box with its text, including lines scoring below
``drop_score``: consumers filter by ``drop_score`` for end-to-end results, and detection
metrics see every box. Stage times are milliseconds of wall time: ``det_pre`` (resize +
normalise), ``det_infer``, ``det_post`` (DB boxes + cutting out the line crops), ``cls``,
``rec`` (all lines, batched), ``rec_per_line`` (``rec`` / number of lines; null when there
were none — batching makes it an average, not a per-line measurement) and ``total``.

Failure: exit non-zero (``EXIT_CODES``), leave ``--out`` unwritten, and print the error
object ``{"error": {"code": CODE, "message": TEXT}}`` as the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from typing import Any, Mapping

from edgeocr.errors import EdgeOCRError

SCHEMA = "edgeocr-runner-result/1"
PROBE_SCHEMA = "edgeocr-runner-probe/1"
MODES = ("det_cls_rec", "det_rec", "rec")
#: Paddle-Lite ``PowerMode``: LITE_POWER_HIGH, _LOW, _FULL, _NO_BIND, _RAND_HIGH, _RAND_LOW.
POWER_MODES = ("high", "low", "full", "no_bind", "rand_high", "rand_low")
STAGES: Mapping[str, tuple[str, ...]] = {
    "det_cls_rec": ("det_pre", "det_infer", "det_post", "cls", "rec", "rec_per_line", "total"),
    "det_rec": ("det_pre", "det_infer", "det_post", "rec", "rec_per_line", "total"),
    "rec": ("rec", "rec_per_line", "total"),
}
NULLABLE_STAGES = frozenset({"rec_per_line"})
#: Error code -> exit status. ``bad_args``: the command line; ``bad_input``: an image or
#: folder; ``model``: a bundle file; ``runtime_mismatch``: a bundle this runtime would run
#: wrongly; ``missing_dependency``: a library or module the runner needs is absent;
#: ``output``: the ``--out`` result file could not be written (a full disk, a folder that is gone).
EXIT_CODES: Mapping[str, int] = {
    "internal": 1,
    "bad_args": 2,
    "bad_input": 3,
    "model": 4,
    "runtime_mismatch": 5,
    "missing_dependency": 6,
    "output": 7,
}


class ContractError(EdgeOCRError):
    """A runner's command line or output breaks the contract."""


class RunnerError(EdgeOCRError):
    """A failure a runner reports as its error object (``code`` is a key of ``EXIT_CODES``)."""

    def __init__(self, code: str, message: str) -> None:
        if code not in EXIT_CODES:
            raise ValueError(f"unknown runner error code {code!r}")
        super().__init__(message)
        self.code = code

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": str(self)}}


@dataclass(frozen=True)
class RunOptions:
    """One runner invocation: the contract's options, by their ``argparse`` names."""

    bundle: str | None
    images: str
    out: str
    threads: int = 1
    power_mode: str = "high"
    warmup: int = 1
    repeats: int = 10
    mode: str = "det_cls_rec"
    record: str | None = None

    def argv(self) -> list[str]:
        """The options as command-line arguments (``bundle`` and ``record`` left out when None)."""
        args: list[str] = []
        for name, value in asdict(self).items():
            if value is not None:
                args += [f"--{name.replace('_', '-')}", str(value)]
        return args

    def check(self) -> None:
        """Raise ``ContractError`` for values outside the contract."""
        if self.threads < 1 or self.warmup < 0 or self.repeats < 1:
            raise ContractError(f"threads >= 1, warmup >= 0 and repeats >= 1 are required "
                                f"(got {self.threads}, {self.warmup}, {self.repeats})")
        if self.power_mode not in POWER_MODES:
            raise ContractError(f"power mode {self.power_mode!r} is not one of {', '.join(POWER_MODES)}")
        if self.mode not in MODES:
            raise ContractError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting: a runner reports bad
    arguments as its error object like any other failure."""

    def error(self, message: str):  # type: ignore[override]
        raise ContractError(f"{self.prog}: {message}")


def build_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The contract's command line; a runner may add options of its own to it."""
    defaults = RunOptions(bundle=None, images="", out="")
    p = _Parser(prog=prog, description=description)
    p.add_argument("--probe", action="store_true", help="print the runner and runtime versions as JSON and exit")
    p.add_argument("--bundle", help="bundle folder made by `edgeocr convert`")
    p.add_argument("--images", help="folder of images (not recursive; sorted by file name)")
    p.add_argument("--out", help="result JSON file")
    p.add_argument("--threads", type=int, default=defaults.threads, help="inference threads (>= 1)")
    p.add_argument("--power-mode", choices=POWER_MODES, default=defaults.power_mode, help="Paddle-Lite power mode")
    p.add_argument("--warmup", type=int, default=defaults.warmup, help="warm-up runs per image (>= 0)")
    p.add_argument("--repeats", type=int, default=defaults.repeats, help="timed runs per image (>= 1)")
    p.add_argument("--mode", choices=MODES, default=defaults.mode, help="pipeline to run")
    p.add_argument("--record", help="also write every model call's input and output into this folder")
    return p


def options_from_args(args: argparse.Namespace) -> RunOptions:
    """``RunOptions`` from parsed arguments; ``--images`` and ``--out`` are required."""
    missing = [f"--{name}" for name in ("images", "out") if not getattr(args, name)]
    if missing:
        raise ContractError(f"missing {' and '.join(missing)} (or pass --probe)")
    options = RunOptions(bundle=args.bundle, images=args.images, out=args.out, threads=args.threads,
                         power_mode=args.power_mode, warmup=args.warmup, repeats=args.repeats, mode=args.mode,
                         record=args.record)
    options.check()
    return options


def parse_error(stdout: str) -> RunnerError | None:
    """The error object on the last JSON line of a runner's stdout, if there is one."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        error = obj.get("error") if isinstance(obj, dict) else None
        if isinstance(error, dict) and error.get("code") in EXIT_CODES and isinstance(error.get("message"), str):
            return RunnerError(error["code"], error["message"])
        return None
    return None


# -- validation ------------------------------------------------------------------------------


def _fail(where: str, problem: str) -> None:
    raise ContractError(f"{where}: {problem}")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check(obj: Any, where: str, kind: str, nullable: bool = False) -> Any:
    """``obj`` if it is of ``kind`` (``dict``, ``list``, ``str``, ``bool``, ``int``, ``number``,
    ``ms``: a number >= 0), else ``ContractError`` naming ``where``."""
    if nullable and obj is None:
        return obj
    ok = {
        "dict": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, list),
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": _is_number,
        "ms": lambda v: _is_number(v) and v >= 0,
    }[kind](obj)
    if not ok:
        _fail(where, f"expected {'a number >= 0' if kind == 'ms' else kind}{' or null' if nullable else ''}, "
                     f"got {json.dumps(obj, ensure_ascii=False)[:60]}")
    return obj


def _fields(obj: Any, where: str, kinds: Mapping[str, str]) -> dict:
    _check(obj, where, "dict")
    for key, kind in kinds.items():
        if key not in obj:
            _fail(where, f"missing key {key!r}")
        _check(obj[key], f"{where}.{key}", kind.rstrip("?"), nullable=kind.endswith("?"))
    return obj


def validate_probe(obj: Any, source: str = "probe") -> dict:
    """``obj`` if it is a valid ``--probe`` answer, else ``ContractError`` naming ``source``."""
    _fields(obj, source, {"schema": "str", "runner": "dict", "runtime_version": "str"})
    if obj["schema"] != PROBE_SCHEMA:
        _fail(f"{source}.schema", f"expected {PROBE_SCHEMA!r}, got {obj['schema']!r}")
    _fields(obj["runner"], f"{source}.runner", {"name": "str", "version": "str", "backend": "str"})
    return obj


def validate_result(obj: Any, source: str = "runner output") -> dict:
    """``obj`` if it is a valid runner result, else ``ContractError`` saying where it is not.

    Checks the shape and types of everything the contract defines, that the stages of every
    run are exactly those of the mode, and that every image has ``repeats`` runs and
    ``warmup`` warm-up times. Extra keys are allowed (runners may report more).
    """
    _fields(obj, source, {"schema": "str", "runner": "dict", "runtime_version": "str", "options": "dict",
                          "applied": "dict", "notes": "list", "init_ms": "ms", "peak_rss_kb": "int?",
                          "drop_score": "number", "images": "list"})
    if obj["schema"] != SCHEMA:
        _fail(f"{source}.schema", f"expected {SCHEMA!r}, got {obj['schema']!r}")
    _fields(obj["runner"], f"{source}.runner", {"name": "str", "version": "str", "backend": "str"})
    options = _fields(obj["options"], f"{source}.options",
                      {"bundle": "str?", "images": "str", "out": "str", "threads": "int", "power_mode": "str",
                       "warmup": "int", "repeats": "int", "mode": "str"})
    try:
        RunOptions(**{k: options[k] for k in RunOptions.__dataclass_fields__ if k in options}).check()
    except ContractError as e:
        _fail(f"{source}.options", str(e))
    _fields(obj["applied"], f"{source}.applied", {"threads": "bool", "power_mode": "bool"})
    for i, note in enumerate(obj["notes"]):
        _check(note, f"{source}.notes[{i}]", "str")
    if not obj["images"]:
        _fail(f"{source}.images", "no images")
    for i, image in enumerate(obj["images"]):
        _validate_image(image, f"{source}.images[{i}]", options)
    return obj


def _validate_image(image: Any, where: str, options: Mapping[str, Any]) -> None:
    _fields(image, where, {"image": "str", "height": "int", "width": "int", "lines": "list", "consistent": "bool",
                           "warmup_ms": "list", "runs_ms": "list"})
    for j, line in enumerate(image["lines"]):
        _validate_line(line, f"{where}.lines[{j}]")
    for name, option in (("warmup_ms", "warmup"), ("runs_ms", "repeats")):
        if len(image[name]) != options[option]:
            _fail(f"{where}.{name}", f"expected {options[option]} entries (--{option}), got {len(image[name])}")
    for j, ms in enumerate(image["warmup_ms"]):
        _check(ms, f"{where}.warmup_ms[{j}]", "ms")
    stages = STAGES[options["mode"]]
    for j, run in enumerate(image["runs_ms"]):
        _check(run, f"{where}.runs_ms[{j}]", "dict")
        if tuple(run) != stages:
            _fail(f"{where}.runs_ms[{j}]", f"stages must be {list(stages)} for mode {options['mode']}, got {list(run)}")
        for stage in stages:
            _check(run[stage], f"{where}.runs_ms[{j}].{stage}", "ms", nullable=stage in NULLABLE_STAGES)


def _validate_line(line: Any, where: str) -> None:
    _fields(line, where, {"box": "list", "text": "str", "score": "number"})
    box = line["box"]
    if len(box) != 4 or not all(isinstance(p, list) and len(p) == 2 and all(map(_is_number, p)) for p in box):
        _fail(f"{where}.box", "expected 4 [x, y] number pairs")

