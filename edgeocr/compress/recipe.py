"""Compression recipes: YAML files in ``quant/`` (one per model and method) holding the
defaults the CLI uses. Every key is declared here with its type; an unknown key or a value
of the wrong type is an error naming the file and the key, never silently ignored, because
a misspelt ``stpes: 2000`` that trains for the default instead is how results stop being
reproducible.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from edgeocr.errors import InputError
from edgeocr.resources import resource_dir

METHODS = ("pact", "ptq", "prune")
PTQ_OP_TYPES = ("conv2d", "conv2d_transpose", "mul", "matmul", "matmul_v2")


HELDOUT_SYNTH = "synth-heldout"


def refuse_heldout_training(value: str, where: str) -> None:
    """Training data may never be the held-out style: its fonts and backgrounds must stay unseen."""
    if value == HELDOUT_SYNTH:
        raise InputError(f"{where} cannot be {HELDOUT_SYNTH}: the held-out style is for evaluation only (its fonts "
                         "and backgrounds must stay unseen by training)")


@dataclass(frozen=True)
class DataSpec:
    """Where training/eval data come from: ``synth`` (rendered with the given count/seed), for eval
    also ``synth-heldout`` (the same, in fonts and backgrounds training never sees), or a label file."""

    train: str = "synth"
    train_count: int = 600
    train_seed: int = 1001
    eval: str = "synth"
    eval_count: int = 300
    eval_seed: int = 2002
    # A bad label line or unreadable image: ``error`` (stop, naming file and line) or ``skip``
    # (leave it out; the count and the first ones are in the log and the report).
    bad_samples: str = "error"


@dataclass(frozen=True)
class QuantSpec:
    weight_bits: int = 8
    activation_bits: int = 8
    weight_quantize_type: str = "channel_wise_abs_max"
    activation_quantize_type: str = "moving_average_abs_max"
    # Depthwise convs are the quantization-sensitive layers of these models (int8 depthwise
    # rounding alone wrecks the recognizer before training); keeping them float is the default.
    skip_depthwise: bool = True
    # Sublayer name prefixes kept in float (e.g. "head." for the DB head, see quant/det_pact.yml).
    skip_layers: list[str] = field(default_factory=list)
    onnx_format: bool = True
    ptq_algo: str = "hist"          # ptq only: hist | KL | avg | abs_max | mse
    ptq_batches: int = 10           # ptq only: calibration batches
    # ptq only: op types quantized (depthwise convs follow skip_depthwise); skip_layers, a
    # dygraph notion, cannot name layers of the static program PTQ works on.
    ptq_op_types: list[str] = field(default_factory=lambda: list(PTQ_OP_TYPES))


@dataclass(frozen=True)
class TrainSpec:
    steps: int = 200
    batch_size: int = 8
    lr: float = 5e-5
    cosine_decay: bool = True       # lr decays along a half cosine to 0 at the last step
    distill_weight: float = 1.0     # soft targets from the frozen float model (works on unlabelled images)
    task_weight: float = 1.0        # CTC / DB shrink-map / cross-entropy where labels exist
    checkpoint_every: int = 50
    # Batch norm statistics frozen at the pretrained values (QAT of an intact model); pruning
    # recipes train them, since a pruned model's layers no longer match them.
    freeze_bn: bool = True
    det_input_size: int = 512       # det only: square training input side (multiple of 32)
    log_every: int = 10


@dataclass(frozen=True)
class PruneSpec:
    criterion: str = "fpgm"         # fpgm | l1
    flops_ratio: float = 0.3        # target FLOPs reduction (ignored when loss_budget is set)
    loss_budget: float | None = None  # max proxy-metric loss per layer when choosing ratios
    align: int = 8                  # channel counts stay multiples of 8 for ARM kernels
    sensitivity_images: int = 4


@dataclass(frozen=True)
class Recipe:
    model: str
    method: str
    seed: int = 42
    data: DataSpec = field(default_factory=DataSpec)
    quant: QuantSpec = field(default_factory=QuantSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    prune: PruneSpec = field(default_factory=PruneSpec)
    source: str = ""                # file the recipe came from (not a YAML key)

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("source")
        return out

    def override(self, section: str | None, **values: Any) -> "Recipe":
        """A copy with CLI flags applied (``None`` values mean 'not given')."""
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return self
        if section is None:
            return dataclasses.replace(self, **values)
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **values)})


SECTIONS = {"data": DataSpec, "quant": QuantSpec, "train": TrainSpec, "prune": PruneSpec}

# Values PaddleSlim accepts, checked when the recipe is read rather than deep inside a
# training run (where PaddleSlim fails with a bare assertion, minutes in).
CHOICES = {
    "weight_quantize_type": ("channel_wise_abs_max", "abs_max"),
    "activation_quantize_type": ("moving_average_abs_max", "range_abs_max", "abs_max"),
    "ptq_algo": ("hist", "KL", "avg", "mse", "emd", "abs_max", "min_max", "ptf"),
    "criterion": ("fpgm", "l1"),
    "bad_samples": ("error", "skip"),
}
POSITIVE = {"train_count", "eval_count", "steps", "batch_size", "lr", "checkpoint_every", "log_every",
            "ptq_batches", "align", "sensitivity_images"}
BETWEEN = {"weight_bits": (2, 16), "activation_bits": (2, 16), "flops_ratio": (0.0, 0.95), "loss_budget": (0.0, 1.0)}


def _check_value(key: str, value: Any, where: str) -> None:
    if key == "ptq_op_types" and (not value or set(value) - set(PTQ_OP_TYPES)):
        raise InputError(f"{where}: must be a non-empty list of {', '.join(PTQ_OP_TYPES)}, got {value!r}")
    if key in CHOICES and value not in CHOICES[key]:
        raise InputError(f"{where}: {value!r} is not one of {', '.join(CHOICES[key])}")
    if key in POSITIVE and value <= 0:
        raise InputError(f"{where}: must be positive, got {value!r}")
    if key in BETWEEN and value is not None and not BETWEEN[key][0] <= value <= BETWEEN[key][1]:
        raise InputError(f"{where}: must be between {BETWEEN[key][0]} and {BETWEEN[key][1]}, got {value!r}")
    if key == "det_input_size" and (value < 64 or value % 32):
        raise InputError(f"{where}: must be a multiple of 32 and at least 64, got {value!r}")


def _check_type(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        hint = next(o for o in options if o is not type(None))
        origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise InputError(f"{where}: expected a list, got {value!r}")
        return [_check_type(v, item, where) for v in value]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool) or not isinstance(value, hint):
        raise InputError(f"{where}: expected {hint.__name__}, got {type(value).__name__} {value!r}")
    return value


def _section(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a mapping")
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(raw) - set(hints))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)} (valid: {', '.join(hints)})")
    values = {k: _check_type(v, hints[k], f"{where}.{k}") for k, v in raw.items()}
    for k, v in values.items():
        _check_value(k, v, f"{where}.{k}")
    return cls(**values)


def parse_recipe(raw: Any, source: str) -> Recipe:
    """Validate a recipe mapping (from YAML) into a ``Recipe``."""
    if not isinstance(raw, dict):
        raise InputError(f"{source}: a recipe must be a mapping")
    top = {f.name for f in dataclasses.fields(Recipe)} - {"source"}
    unknown = sorted(set(raw) - top)
    if unknown:
        raise InputError(f"{source}: unknown key(s) {', '.join(unknown)} (valid: {', '.join(sorted(top))})")
    for key in ("model", "method"):
        if key not in raw:
            raise InputError(f"{source}: missing key {key!r}")
    if raw["model"] not in ("det", "cls", "rec"):
        raise InputError(f"{source}: model must be det, cls or rec, not {raw['model']!r}")
    if raw["method"] not in METHODS:
        raise InputError(f"{source}: method must be one of {', '.join(METHODS)}, not {raw['method']!r}")
    values: dict[str, Any] = {"model": raw["model"], "method": raw["method"], "source": source}
    if "seed" in raw:
        values["seed"] = _check_type(raw["seed"], int, f"{source}: seed")
    for name, cls in SECTIONS.items():
        if name in raw:
            values[name] = _section(cls, raw[name], f"{source}: {name}")
    if "data" in values:
        refuse_heldout_training(values["data"].train, f"{source}: data.train")
    return Recipe(**values)


def recipes_dir() -> Path:
    """``$EDGEOCR_RECIPES`` or the repository's ``quant/`` folder (see ``edgeocr.resources``)."""
    env = os.environ.get("EDGEOCR_RECIPES")
    return Path(env) if env else resource_dir("quant")


def load_recipe(path: str | os.PathLike | None = None, *, model: str, method: str) -> Recipe:
    """Load ``path`` or the default ``quant/<model>_<method>.yml``; it must be for ``model``/``method``."""
    p = Path(path) if path else recipes_dir() / f"{model}_{method}.yml"
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{p}: cannot read recipe ({e.strerror})") from e
    except yaml.YAMLError as e:
        raise InputError(f"{p}: invalid YAML ({e})") from e
    recipe = parse_recipe(raw, str(p))
    if recipe.model != model:
        raise InputError(f"{p}: recipe is for model {recipe.model!r} but --model is {model!r}")
    if recipe.method != method:
        raise InputError(f"{p}: recipe is for method {recipe.method!r}, not {method!r}")
    return recipe
