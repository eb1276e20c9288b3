"""The library entry points behind ``edgeocr quantize`` and ``edgeocr prune``, and
``finetune``, the float control the compression benchmark measures quantization against.

All follow one shape: resolve the recipe and data, measure the starting model, compress,
export into a model folder that every other command accepts (``--rec DIR``, ``convert
--rec DIR``), measure again through Paddle Inference, and write a report (JSON + table).
The output folder is written atomically: a failure — Ctrl-C, a crash, a full disk — leaves
an earlier output of the same name untouched; training checkpoints live beside it in
``<out>.train/`` so ``--resume`` can continue.
"""

from __future__ import annotations

import errno
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import paddle

from edgeocr.compress.data import TaskData, check_disjoint, load_task_data, resolve_labels, skipped_summary
from edgeocr.compress.distributed import World, init_world
from edgeocr.compress.evaluation import METRIC, evaluate_model
from edgeocr.compress.objectives import make_step_loss
from edgeocr.compress.prune import choose_and_prune, sensitivity_file
from edgeocr.compress.quantize import apply_qat, export_qat, pact_status, post_training_quantize
from edgeocr.compress.unread_quantizers import drop_unread_quantizers_in, summary
from edgeocr.compress.recipe import Recipe, refuse_heldout_training
from edgeocr.compress.source import PRUNE_PLAN, deployed_params, flops, load_trainable, rebuild_pruned
from edgeocr.compress.trainer import TrainLog, run_identity, train
from edgeocr.errors import EdgeOCRError, InputError, ModelError
from edgeocr.models.charset import Charset, load_charset
from edgeocr.models.checkpoint import save_checkpoint
from edgeocr.models.export import export_inference
from edgeocr.models.architectures import ARCHITECTURES
from edgeocr.models.modelset import CHECKPOINT, INFER_MODEL, INFER_PARAMS, ONNX_FILE, ModelSet
from edgeocr.models.program import program_params
from edgeocr.utils.atomic import atomic_dir, write_json, write_text
from edgeocr.utils.table import markdown_table


@dataclass
class Inputs:
    recipe: Recipe
    base: ModelSet
    source: Path
    charset: Charset
    train: TaskData
    evaluation: TaskData


def prepare(task: str, recipe: Recipe, models_name: str, source: str | Path | None,
            train_labels: str | None, eval_labels: str | None) -> Inputs:
    base = ModelSet.load(models_name)
    src = Path(source) if source else base.dir(task)
    if src is None:
        raise ModelError(f"model set {base.name!r} has no {task} model")
    if recipe.method == "ptq":  # calibrates the inference model: any family
        if not (src / INFER_MODEL).is_file():
            raise ModelError(f"{src}: no Paddle {INFER_MODEL} to quantize (PaddleSlim PTQ reads Paddle programs; "
                             "an ONNX-only model is quantized by `edgeocr convert --runtime onnxruntime --ort-quantize`)")
    elif not (src / CHECKPOINT).is_file():
        if (src / ONNX_FILE).is_file() and not (src / INFER_MODEL).is_file():
            raise ModelError(f"{src}: the {task} model is ONNX only: nothing here trains or calibrates it; quantize "
                             "it for ONNX Runtime with `edgeocr convert --runtime onnxruntime --ort-quantize`")
        raise ModelError(f"{src}: no {CHECKPOINT} to start from (a pulled model folder or a prune output; edgeocr "
                         f"trains the architectures of {', '.join(ARCHITECTURES)}); or use --method ptq")
    manifest = src / "manifest.json"
    if manifest.is_file():
        found = json.loads(manifest.read_text(encoding="utf-8")).get("task")
        if found and found != task:
            raise ModelError(f"{src}: holds a {found} model, but --model is {task}")
    charset = load_charset(base.dict_path)
    d = recipe.data
    refuse_heldout_training(train_labels or d.train, "--train" if train_labels else f"{recipe.source}: data.train")
    train_path = resolve_labels(train_labels or d.train, task, d.train_count, d.train_seed)
    eval_path = resolve_labels(eval_labels or d.eval, task, d.eval_count, d.eval_seed)
    skip_bad = d.bad_samples == "skip"
    train_data = load_task_data(task, train_path, charset, skip_bad)
    eval_data = load_task_data(task, eval_path, charset, skip_bad)
    check_disjoint(train_data, eval_data)
    return Inputs(recipe, base, src, charset, train_data, eval_data)


def _size(model_dir: Path) -> dict[str, int]:
    return {"pdiparams_bytes": (model_dir / INFER_PARAMS).stat().st_size}


def _row(variant: str, task: str, metrics: dict, model_dir: Path, params: int, model_flops: int | None,
         seconds: float | None) -> dict[str, Any]:
    return {"model": task, "variant": variant, METRIC[task]: metrics[METRIC[task]], "params": params,
            "pdiparams_MB": round(_size(model_dir)["pdiparams_bytes"] / 1e6, 3),
            "MFLOPs": None if model_flops is None else round(model_flops / 1e6, 1),
            "wall_s": None if seconds is None else round(seconds, 1)}


def _finish(tmp: Path, task: str, inputs: Inputs, compression: dict, rows: list[dict], metrics: dict) -> dict:
    """Write manifest + report into the output folder being built."""
    report = {"task": task, "recipe": inputs.recipe.to_json(), "recipe_file": inputs.recipe.source,
              "source": str(inputs.source), "train_labels": str(inputs.train.labels.path),
              "eval_labels": str(inputs.evaluation.labels.path), "eval_samples": len(inputs.evaluation),
              "skipped_samples": {name: skipped_summary(data) for name, data in
                                  (("train", inputs.train), ("eval", inputs.evaluation))},
              "rows": rows, "compression": compression}
    write_json(tmp / "report.json", report)
    write_text(tmp / "report.md", f"# {task} {compression['method']}\n\n{markdown_table(rows)}\n")
    write_json(tmp / "manifest.json", {"task": task, "compression": compression, "recipe": inputs.recipe.to_json(),
                                       "eval": {"labels": str(inputs.evaluation.labels.path), **metrics},
                                       "source": {"dir": str(inputs.source)}})
    return report


@dataclass
class Start:
    """What every job establishes before compressing: inputs, the starting model and its
    figures, and where and how it runs."""

    task: str
    inputs: Inputs
    reference: paddle.nn.Layer | None  # None: an inference model only (PTQ of another family)
    metrics: dict
    params: int
    flops: int | None
    out: Path
    workdir: Path                   # training checkpoints, ``<out>.train/``
    resume: bool
    threads: int
    log: Callable[[str], None]
    world: World = World()          # the data-parallel ranks training runs on (rank 0 writes)


def _start(task: str, recipe: Recipe, out: str | Path, models_name: str, source: str | Path | None,
           train_labels: str | None, eval_labels: str | None, resume: bool, threads: int,
           log: Callable[[str], None]) -> Start:
    world = init_world()
    if not world.is_main:  # rank 0 reports and measures; the others only train
        log = _quiet
    inputs = prepare(task, recipe, models_name, source, train_labels, eval_labels)
    if world.size > 1 and recipe.method == "ptq":
        raise InputError(f"{recipe.method} does not train: run it in one process (no --nproc / distributed launch)")
    for name, data in (("train", inputs.train), ("eval", inputs.evaluation)):
        if data.skipped:
            log(f"{task}: {name}: {len(data.skipped)} bad sample(s) left out (data.bad_samples: skip), "
                f"first: {data.skipped[0]}")
    log(f"{task}: train {len(inputs.train)} / eval {len(inputs.evaluation)} samples"
        f"{f' on {world.size} data-parallel ranks' if world.size > 1 else ''}; measuring the starting model")
    metrics = evaluate_model(task, inputs.source, inputs.base, inputs.evaluation, threads) if world.is_main else {}
    if not (inputs.source / CHECKPOINT).is_file():  # PTQ of an inference model only: no dygraph figures
        return Start(task, inputs, None, metrics, program_params(inputs.source / INFER_MODEL), None, Path(out),
                     Path(f"{out}.train"), resume, threads, log, world)
    reference = load_trainable(task, inputs.source)
    return Start(task, inputs, reference, metrics, deployed_params(reference), flops(reference), Path(out),
                 Path(f"{out}.train"), resume, threads, log, world)


def _quiet(_: str) -> None:
    """The log of ranks other than 0."""


def _complete(start: Start, build: Callable[[Path], dict]) -> dict:
    """Build the output folder atomically (a full disk becomes a clear error), then drop the
    training checkpoints, which only a failed run needs. Ranks other than 0 train into a
    scratch folder that goes away: the output is rank 0's alone."""
    if not start.world.is_main:
        with tempfile.TemporaryDirectory(prefix=f"edgeocr-rank{start.world.rank}-") as scratch:
            build(Path(scratch))
        start.world.barrier()  # rank 0 has written the output
        return {}
    try:
        with atomic_dir(start.out, replace=True) as tmp:
            report = build(tmp)
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise EdgeOCRError(f"{start.out}: no space left on device while saving; earlier outputs are intact") from e
        raise
    shutil.rmtree(start.workdir, ignore_errors=True)
    start.world.barrier()
    return report


def _fine_tune(start: Start, model: paddle.nn.Layer, desc: str) -> TrainLog:
    """Train ``model`` in place by the recipe: distillation from the starting model plus the task loss."""
    inputs = start.inputs
    if start.task == "det":
        model.head.train_threshold = False  # the deployed detector has no threshold branch
    step = make_step_loss(start.task, model, start.reference, inputs.train, inputs.recipe.train, inputs.charset,
                          start.world)
    identity = run_identity(inputs.recipe, start.task, inputs.source / CHECKPOINT, inputs.train)
    return train(model, step, inputs.recipe.train, inputs.recipe.seed, start.workdir, identity=identity,
                 resume=start.resume, desc=desc, world=start.world)


def _versus_start(start: Start, tmp: Path, variant: str, compression: dict, seconds: float) -> dict:
    """Measure the model built in ``tmp``, and report it against the starting model (rank 0 only)."""
    if not start.world.is_main:
        return {}
    task, inputs = start.task, start.inputs
    start.log(f"{task}: measuring the {variant} model")
    metrics = evaluate_model(task, tmp, inputs.base, inputs.evaluation, start.threads)
    rows = [_row("float", task, start.metrics, inputs.source, start.params, start.flops, None),
            _row(variant, task, metrics, tmp, start.params, start.flops, seconds)]
    rows[1]["delta"] = round(rows[1][METRIC[task]] - rows[0][METRIC[task]], 4)
    return _finish(tmp, task, inputs, compression, rows, {"float": start.metrics, "compressed": metrics})


def quantize(task: str, recipe: Recipe, out: str | Path, *, models_name: str = "ppocrv2",
             source: str | Path | None = None, train_labels: str | None = None, eval_labels: str | None = None,
             resume: bool = False, threads: int = 2, log: Callable[[str], None] = lambda _: None) -> dict:
    """PACT QAT or PTQ of ``task`` according to ``recipe``; returns the report."""
    start = _start(task, recipe, out, models_name, source, train_labels, eval_labels, resume, threads, log)
    inputs = start.inputs

    def build(tmp: Path) -> dict:
        t0 = time.perf_counter()
        if recipe.method == "pact":
            student = load_trainable(task, inputs.source)
            quanter, before = apply_qat(student, recipe.quant)
            train_log = _fine_tune(start, student, f"pact {task}")
            after = pact_status(student)
            paddle.save(student.state_dict(), str(tmp / "qat.pdparams"))
            export_qat(quanter, student, task, tmp)
            compression = {"method": "pact", "pact": {"before": before, "after": after}, "training": train_log.to_json()}
        else:
            compression = {"method": "ptq", "ptq": post_training_quantize(task, inputs.source, tmp, inputs.train,
                                                                          inputs.charset, recipe, inputs.base.config)}
        compression["int8"] = True
        compression["unread_quantizers"] = summary(drop_unread_quantizers_in(tmp / INFER_MODEL))
        return _versus_start(start, tmp, f"{recipe.method} int8", compression, time.perf_counter() - t0)

    return _complete(start, build)


def finetune(task: str, recipe: Recipe, out: str | Path, *, models_name: str = "ppocrv2",
             source: str | Path | None = None, train_labels: str | None = None, eval_labels: str | None = None,
             resume: bool = False, threads: int = 2, log: Callable[[str], None] = lambda _: None) -> dict:
    """The control for PACT: a PACT recipe's fine-tuning (data, steps, seed, losses) without
    quantization, giving a float model folder.

    Fine-tuning alone moves accuracy — on data like the eval set it gains — so int8 against
    this model is what quantization itself costs; against the starting model it is not.
    """
    start = _start(task, recipe, out, models_name, source, train_labels, eval_labels, resume, threads, log)
    inputs = start.inputs

    def build(tmp: Path) -> dict:
        t0 = time.perf_counter()
        model = load_trainable(task, inputs.source)
        train_log = _fine_tune(start, model, f"finetune {task}")
        save_checkpoint(model, tmp / CHECKPOINT)
        if (inputs.source / PRUNE_PLAN).is_file():  # a pruned start stays loadable
            shutil.copy2(inputs.source / PRUNE_PLAN, tmp / PRUNE_PLAN)
        export_inference(model, task, tmp)
        compression = {"method": "finetune", "training": train_log.to_json()}
        return _versus_start(start, tmp, "float fine-tuned", compression, time.perf_counter() - t0)

    return _complete(start, build)


def prune(task: str, recipe: Recipe, out: str | Path, *, models_name: str = "ppocrv2",
          source: str | Path | None = None, train_labels: str | None = None, eval_labels: str | None = None,
          resume: bool = False, threads: int = 2, log: Callable[[str], None] = lambda _: None) -> dict:
    """Sensitivity-based pruning + fine-tuning of ``task``; returns the report."""
    start = _start(task, recipe, out, models_name, source, train_labels, eval_labels, resume, threads, log)
    inputs, teacher, before = start.inputs, start.reference, start.metrics
    params0, flops0 = start.params, start.flops

    def build(tmp: Path) -> dict:
        t0 = time.perf_counter()
        model = load_trainable(task, inputs.source)
        # Sensitivities are measured on training images: the eval set only ever scores results.
        sen = sensitivity_file(task, inputs.source / CHECKPOINT, inputs.train, recipe.prune)
        log(f"{task}: sensitivity analysis ({'cached' if sen.is_file() else 'computing'}: {sen})")
        world = start.world
        if not world.is_main:
            world.barrier()  # rank 0 measures the sensitivities and caches them; the others read them
        plan = choose_and_prune(model, teacher, task, recipe.prune, inputs.train, inputs.charset, sen)
        if world.is_main:
            world.barrier()
        # Export a copy rebuilt from the plan: proves the plan reproduces the shapes, and keeps
        # jit.to_static away from the model that is about to be fine-tuned.
        export_inference(rebuild_pruned(task, model, plan["ratios"]), task, tmp)
        right_after = evaluate_model(task, tmp, inputs.base, inputs.evaluation, threads) if world.is_main else {}
        train_log = _fine_tune(start, model, f"finetune {task}")
        save_checkpoint(model, tmp / CHECKPOINT)
        write_json(tmp / PRUNE_PLAN, {"task": task, "ratios": plan["ratios"], "criterion": plan["criterion"]})
        export_inference(model, task, tmp)
        seconds = time.perf_counter() - t0
        if not world.is_main:
            return {}
        metrics = evaluate_model(task, tmp, inputs.base, inputs.evaluation, threads)
        params, model_flops = deployed_params(model), flops(model)
        rows = [_row("unpruned", task, before, inputs.source, params0, flops0, None),
                _row("pruned, before fine-tuning", task, right_after, tmp, params, model_flops, None),
                _row("pruned + fine-tuned", task, metrics, tmp, params, model_flops, seconds)]
        rows[2]["delta"] = round(rows[2][METRIC[task]] - rows[0][METRIC[task]], 4)
        compression = {"method": "prune", "prune": {**plan, "flops_reduction": round(1 - model_flops / flops0, 4),
                                                    "params_reduction": round(1 - params / params0, 4)},
                       "training": train_log.to_json()}
        return _finish(tmp, task, inputs, compression, rows,
                       {"unpruned": before, "pruned_before_finetune": right_after, "compressed": metrics})

    return _complete(start, build)
