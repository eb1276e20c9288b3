"""``edgeocr deploy``: put a bundle, a runner and its runtime libraries on a device.

The options that say *what* to deploy are shared with ``edgeocr bench`` (which deploys
before it measures), so the two commands cannot drift apart.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable

import click

from edgeocr.bundle import Bundle
from edgeocr.device import Device, get_device
from edgeocr.device.cpu_classes import CPU_CLASSES
from edgeocr.errors import EdgeOCRError, InputError
from edgeocr.paths import home
from edgeocr.runner.deploy import DeployRequest, deploy
from edgeocr.runner.payload import MODELS, Payload, resolve_payload
from edgeocr.targets import list_targets
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table

DEFAULT_MODEL_SET = "ppocrv2"


def log(message: str) -> None:
    click.echo(message, err=True)


def default_bundle(target: str) -> Bundle:
    """The pulled ppocrv2 set converted for ``target``, kept in the model home and reused
    (converted again when the kept one no longer loads, e.g. an older edgeocr's)."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.models.modelset import ModelSet
    from edgeocr.targets import load_target

    path = home() / "bundles" / f"{DEFAULT_MODEL_SET}-{target}"
    try:
        return Bundle.load(path)
    except EdgeOCRError:
        log(f"converting the pulled {DEFAULT_MODEL_SET} models for {target} into {path}")
        return convert_bundle(ModelSet.load(DEFAULT_MODEL_SET), load_target(target), path, force=True, progress=log)


def deploy_request(target: str | None, bundle: Path | None, models: Path | None, runner_bin: Path | None,
                   runtime_libs: tuple[Path, ...], python: str | None, workdir: str | None) -> DeployRequest:
    """The request the deploy options describe; with neither ``--bundle`` nor ``--models``,
    the pulled ppocrv2 set converted for ``--target``. A native runner built by
    ``edgeocr.runner.native_build`` has its libraries in ``lib/`` beside it: that folder is
    the default ``--runtime-lib``."""
    if bundle is None and models is None:
        if target is None:
            raise InputError("say what to deploy: --bundle DIR, --models DIR, or --target T (the pulled "
                             f"{DEFAULT_MODEL_SET} set converted for T)")
        payload = Payload.of_bundle(default_bundle(target))
    else:
        payload = resolve_payload(bundle, models)
    if target is not None:
        if payload.kind == MODELS:
            raise InputError("--target applies to bundles; --models runs on this host")
        if payload.target.name != target:
            raise InputError(f"{payload.path}: bundle is for target {payload.target.name}, not {target}")
    if runner_bin is not None and not runtime_libs and (runner_bin.parent / "lib").is_dir():
        runtime_libs = (runner_bin.parent / "lib",)
    return DeployRequest(payload, runner_bin, tuple(runtime_libs), python, workdir)


def _deploy_option_list(many: bool) -> list[Callable]:
    """The deploy options; with ``many``, ``--bundle`` and ``--runner-bin`` are repeatable."""
    return [
        click.option("--target", type=click.Choice([t.name for t in list_targets()]),
                     help="Target profile; must match the bundle's (without --bundle: convert the pulled models for it)."),
        click.option("--bundle", multiple=many, type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Bundle folder made by `edgeocr convert`" + (
                         " (repeatable: the bundles are measured on the same devices and data and reported in one "
                         "table)." if many else ".")),
        click.option("--models", type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Instead of a bundle: a model-set folder (det/ rec/ [cls/] inference models + dictionary) run "
                          "by Paddle Inference; host-only (--local), e.g. for quantized models x86 Lite cannot run."),
        click.option("--runner-bin", multiple=many, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Native runner executable (the runner contract)" + (
                         " (repeatable: one per runtime, matched to each bundle by its build.json)" if many else "")
                          + "; default: the Python runner."),
        click.option("--runtime-lib", "runtime_libs", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Runtime library file or folder for the native runner (repeatable): Paddle-Lite's (its version "
                          "must equal the bundle's converter version) or ONNX Runtime's (at least the bundle's)."),
        click.option("--python", envvar="EDGEOCR_DEVICE_PYTHON",
                     help="Python on the device for the Python runner [default: python3; this interpreter for --local]."),
        click.option("--workdir", help="Work folder on the device (absolute; {device} becomes the device's name) "
                                       "[default: the device's own]."),
    ]


def runner_runtime(runner_bin: Path) -> str | None:
    """The runtime a native runner was built for, from the ``build.json`` ``build-runner`` writes beside it."""
    try:
        return json.loads((runner_bin.parent / "build.json").read_text(encoding="utf-8"))["runtime"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def runner_for(bundle: Path | None, runner_bins: tuple[Path, ...]) -> Path | None:
    """Of several ``--runner-bin``, the one built for ``bundle``'s runtime (one runner: that one)."""
    if len(runner_bins) <= 1 or bundle is None:
        return runner_bins[0] if runner_bins else None
    runtime = Bundle.load(bundle, verify=False).runtime
    matching = [r for r in runner_bins if runner_runtime(r) == runtime]
    if len(matching) != 1:
        raise InputError(f"{bundle}: {len(matching)} of the --runner-bin runners are built for its {runtime} runtime "
                         "(their build.json says which); give exactly one per runtime")
    return matching[0]


#: the phone CPU class the emulated board stands for (``edgeocr.device.cpu_classes``)
emulated_cpu_option = click.option(
    "--emulated-cpu", "cpu", type=click.Choice(list(CPU_CLASSES)),
    help="The emulated board as a phone CPU class (implies --emulated): its programs see that class's /proc/cpuinfo, "
         "so the ARM runtime picks that class's kernels (sm8150: dot-product int8) [default: this host's cpuinfo, "
         "no known SoC, no dot-product kernels].")


def deploy_options(func: Callable | None = None, *, many: bool = False) -> Callable:
    """Add the deploy options; the command receives them as one ``request`` argument, or with
    ``many`` (``--bundle`` and ``--runner-bin`` repeatable) as a list ``requests``, one per bundle."""
    if func is None:
        return functools.partial(deploy_options, many=many)

    @functools.wraps(func)
    def wrapper(*args: Any, target, bundle, models, runner_bin, runtime_libs, python, workdir, **kwargs: Any):
        if not many:
            return func(*args, request=deploy_request(target, bundle, models, runner_bin, runtime_libs, python,
                                                      workdir), **kwargs)
        if len(bundle) > 1 and runtime_libs:
            raise InputError("--runtime-lib names one runner's libraries; with several bundles use runners built by "
                             "build-runner (their lib/ folders are found beside them)")
        requests = [deploy_request(target, b, models, runner_for(b, runner_bin), runtime_libs, python, workdir)
                    for b in (bundle or (None,))]
        return func(*args, requests=requests, **kwargs)

    for option in reversed(_deploy_option_list(many)):
        wrapper = option(wrapper)
    return wrapper


@click.command("deploy")
@click.option("--serial", help="adb serial of the phone (default: the only one attached).")
@click.option("--ssh", help="Board from the devices file, or user@host[:port].")
@click.option("--local", is_flag=True, help="This host.")
@click.option("--emulated", is_flag=True, help="The emulated arm64 board qemu-arm64 (`edgeocr devices emulated-setup`; "
                                               "root).")
@emulated_cpu_option
@deploy_options
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write what was deployed, file by file, as JSON.")
def deploy_command(serial: str | None, ssh: str | None, local: bool, emulated: bool, cpu: str | None,
                   request: DeployRequest, json_out: Path | None) -> None:
    """Push a bundle, the runner and its runtime libraries into a work folder on a device.

    Checks the device ABI against the bundle's target and the runtime version against the
    bundle's converter version before pushing the models; skips files whose hash is unchanged.
    """
    device: Device = get_device(serial, ssh, local, emulated or cpu is not None, cpu)
    deployment = deploy(device, request, log)
    click.echo(markdown_table([{"file": a.path, "MB": f"{a.size / 1e6:.2f}", "action": a.action} for a in deployment.files]))
    counts = {action: sum(a.action == action for a in deployment.files) for action in ("pushed", "unchanged", "removed")}
    click.echo(f"deployed {request.payload.kind} {request.payload.path} ({request.payload.label}) to "
               f"{device.name}:{deployment.workdir}: {', '.join(f'{n} {k}' for k, n in counts.items())}; "
               f"runner {deployment.runner['kind']}/{deployment.runner['backend']} {deployment.runner['version']}, "
               f"runtime {deployment.runtime_version}")
    if json_out is not None:
        write_json(json_out, deployment.to_json())


COMMANDS = [deploy_command]
