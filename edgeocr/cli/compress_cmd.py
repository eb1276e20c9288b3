"""``edgeocr quantize`` and ``edgeocr prune``: thin layers over ``edgeocr.compress.job``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from edgeocr.compress import job
from edgeocr.compress.recipe import BETWEEN, load_recipe
from edgeocr.utils.table import markdown_table

_TASK = click.option("--model", "task", type=click.Choice(["det", "cls", "rec"]), required=True,
                     help="Which model of the set to compress.")
_COMMON = [
    click.option("--recipe", type=click.Path(dir_okay=False, path_type=Path),
                 help="Recipe YAML [default: quant/<model>_<method>.yml]."),
    click.option("--train", "train_labels", help="Training label file (PaddleOCR format) [default: recipe's data]."),
    click.option("--eval", "eval_labels", help="Eval label file; must not share images with --train."),
    click.option("--steps", type=click.IntRange(min=1), help="Training steps (overrides the recipe)."),
    click.option("--from", "source", type=click.Path(file_okay=False, path_type=Path),
                 help="Start from this model folder (e.g. a prune output) instead of the pulled model."),
    click.option("--models", "models_name", default="ppocrv2", show_default=True, help="Pulled model set."),
    click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                 help="Output model folder [default: out/compress/<model>-<method>]."),
    click.option("--resume", is_flag=True, help="Continue from the checkpoint in <out>.train/."),
    click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True),
    click.option("--nproc", type=click.IntRange(min=1), default=1, show_default=True,
                 help="Train data-parallel in this many processes (paddle.distributed, gloo over loopback); the "
                      "recipe's batch size is the global batch. Several hosts: python -m paddle.distributed.launch."),
    click.option("--gpus", help="Train on these GPUs, one process each, e.g. 0,1,2,3 (needs a CUDA build of Paddle)."),
]


def _common(func):
    for option in reversed(_COMMON):
        func = option(func)
    return _TASK(func)


def _run_job(name: str, task: str, recipe, out: Path, kwargs: dict) -> dict:
    """One rank of a job (``spawn`` calls it in each new process; module level so it pickles)."""
    if kwargs.pop("gpu_ids", None):
        import paddle

        paddle.set_device("gpu")
    return getattr(job, name)(task, recipe, out, **kwargs, log=lambda m: click.echo(m, err=True))


def _launch(name: str, task: str, recipe, out: Path, nproc: int, gpus: str | None, **kwargs) -> dict:
    """Run job ``name`` here, or in ``nproc`` (or one per GPU) data-parallel processes, whose
    rank 0 writes the output; the report is then read back from it."""
    from edgeocr.compress import distributed

    ranks = len(gpus.split(",")) if gpus else nproc
    if ranks == 1 and not gpus:
        return _run_job(name, task, recipe, out, kwargs)
    distributed.spawn(_run_job, ranks, args=(name, task, recipe, out, {**kwargs, "gpu_ids": gpus}), gpus=gpus)
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _echo_report(report: dict, out: Path) -> None:
    click.echo(markdown_table(report["rows"], list(dict.fromkeys(k for r in report["rows"] for k in r))))
    click.echo(f"model folder: {out} (report.json, report.md)")


@click.command("quantize")
@_common
@click.option("--method", type=click.Choice(["pact", "ptq"]), default="pact", show_default=True,
              help="pact: quantization-aware training with PACT; ptq: post-training quantization.")
def quantize(task, recipe, train_labels, eval_labels, steps, source, models_name, out, resume, threads, nproc, gpus,
             method) -> None:
    """Quantize a model to int8 and report float vs int8 accuracy, size and time."""
    r = load_recipe(recipe, model=task, method=method).override("train", steps=steps)
    out = out or Path(f"out/compress/{task}-{method}")
    report = _launch("quantize", task, r, out, nproc, gpus, models_name=models_name, source=source,
                     train_labels=train_labels, eval_labels=eval_labels, resume=resume, threads=threads)
    _echo_report(report, out)


@click.command("prune")
@_common
@click.option("--criterion", type=click.Choice(["fpgm", "l1"]), help="Filter importance criterion.")
@click.option("--flops-ratio", type=click.FloatRange(*BETWEEN["flops_ratio"]), help="Target FLOPs reduction, e.g. 0.3.")
@click.option("--loss-budget", type=click.FloatRange(*BETWEEN["loss_budget"]),
              help="Per-layer budget of proxy accuracy loss (instead of --flops-ratio), e.g. 0.02.")
def prune(task, recipe, train_labels, eval_labels, steps, source, models_name, out, resume, threads, nproc, gpus,
          criterion, flops_ratio, loss_budget) -> None:
    """Prune filters by sensitivity, fine-tune, and report parameters, FLOPs and accuracy."""
    if flops_ratio is not None and loss_budget is not None:
        raise click.UsageError("give --flops-ratio or --loss-budget, not both")
    r = (load_recipe(recipe, model=task, method="prune").override("train", steps=steps)
         .override("prune", criterion=criterion, flops_ratio=flops_ratio, loss_budget=loss_budget))
    if flops_ratio is not None:  # a FLOPs target on the command line wins over a recipe's loss budget
        r = dataclasses.replace(r, prune=dataclasses.replace(r.prune, loss_budget=None))
    out = out or Path(f"out/compress/{task}-prune")
    report = _launch("prune", task, r, out, nproc, gpus, models_name=models_name, source=source,
                     train_labels=train_labels, eval_labels=eval_labels, resume=resume, threads=threads)
    _echo_report(report, out)


COMMANDS = [quantize, prune]
