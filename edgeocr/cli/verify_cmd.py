"""``edgeocr verify BUNDLE``: run a bundle on real ARM kernels (emulated arm64 device) and
hold it to the host (``edgeocr.verify.run``)."""

from __future__ import annotations

from pathlib import Path

import click

from edgeocr.bench.dataset import load_dataset
from edgeocr.bundle import Bundle
from edgeocr.cli.deploy_cmd import log
from edgeocr.device import EmulatedDevice
from edgeocr.device.cpu_classes import CPU_CLASSES
from edgeocr.models.charset import load_charset
from edgeocr.verify.noise_floor import RUNS as NOISE_RUNS
from edgeocr.verify.run import LITE_LIB_ENV, verify_bundle


@click.command("verify")
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--lite-lib", type=click.Path(exists=True, path_type=Path), envvar=LITE_LIB_ENV,
              help=f"Paddle-Lite ARM Linux armv8 release (or its cxx/) of the bundle's version [${LITE_LIB_ENV}].")
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="det label file whose images to verify on [default: a rendered set with scenes and single lines].")
@click.option("--images", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Instead of --data: a folder of images.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where verify.json, verify.md and the raw records go [default: BUNDLE.verify/].")
@click.option("--cpu", type=click.Choice(list(CPU_CLASSES)),
              help="Run on the emulated board as this phone CPU class, whose kernels the runtime then picks "
                   "(sm8150: dot-product int8) [default: this host's cpuinfo, no dot-product kernels].")
@click.option("--noise-runs", type=click.IntRange(min=0), default=NOISE_RUNS, show_default=True,
              help="int8 bundles: host runs under numerically negligible input noise that measure the host's own "
                   "noise floor (0: hold them to 99% of lines regardless).")
def verify(bundle: Path, lite_lib: Path | None, data: Path | None, images: Path | None, out: Path | None,
           cpu: str | None, noise_runs: int) -> None:
    """Run BUNDLE on ARM kernels and compare with the host: texts, boxes, and per model the
    raw outputs and the decisions taken from them. Exits non-zero naming the model and the
    first diverging input when ARM disagrees beyond the documented thresholds; the verdict
    goes into the bundle's manifest (see `edgeocr inspect`). An int8 bundle must read 99% of
    the lines as the host does, or as many as the host itself keeps under input noise of 1e-4
    (its noise floor) where that is lower."""
    chosen = None
    if data is not None or images is not None:
        chosen = load_dataset(data, "det", images, allowed_chars=load_charset(Bundle.load(bundle).dict_path).allowed()).files
    result = verify_bundle(bundle, out, lite_lib, chosen, device=EmulatedDevice(cpu=cpu), noise_runs=noise_runs,
                           log=log)
    click.echo(Path(result.out / "verify.md").read_text(encoding="utf-8"))
    result.raise_if_failed()


COMMANDS = [verify]
