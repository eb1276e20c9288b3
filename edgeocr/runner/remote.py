"""Running a deployed runner on its device and collecting what it wrote.

The runner writes its result on the device; it is pulled beside its final local path,
parsed and checked against the contract, and only then moved into place, so a truncated
or malformed result never passes for a measurement. A non-zero exit is reported with the
runner's own error object, or the end of its stderr when it died without one (a crash,
a library the dynamic linker could not find).
"""

from __future__ import annotations

import json
import os
import shlex
from typing import Any, Sequence

from edgeocr.runner.deploy import Deployment
from edgeocr.device.errors import DeviceError
from edgeocr.runner.contract import RunOptions, parse_error, validate_result
from edgeocr.utils.atomic import atomic_path


class RunnerFailed(DeviceError):
    """The runner ran and exited non-zero; ``code`` is its error code when it reported one."""

    def __init__(self, message: str, code: str | None) -> None:
        super().__init__(message)
        self.code = code


def command_line(deployment: Deployment, options: RunOptions) -> str:
    """The runner's command as it runs on the device (environment included), for records."""
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in deployment.env.items())
    return f"{env} {shlex.join(deployment.argv(options))}".strip()


def run_remote(deployment: Deployment, options: RunOptions, local_out: str | os.PathLike,
               timeout: float | None, under: Sequence[str] | None = None) -> dict[str, Any]:
    """Run ``options`` on the deployment's device; the validated result, also kept at ``local_out``.
    ``under`` runs the runner under another emulator (an emulated device's ``shell_under``:
    the instruction-counting qemu)."""
    device = deployment.device
    if under is not None:
        result = device.shell_under(under, deployment.argv(options), env=deployment.env, timeout=timeout)
    else:
        result = device.shell(deployment.argv(options), env=deployment.env, timeout=timeout)
    if result.exit_code:
        error = parse_error(result.stdout)
        detail = f"{error.code}: {error}" if error else (result.stderr.strip() or result.stdout.strip())[-800:]
        raise RunnerFailed(f"{device.name}: runner exited with {result.exit_code}: {detail}",
                           error.code if error else None)
    with atomic_path(local_out) as tmp:
        device.pull(options.out, tmp, timeout=600)
        try:
            obj = json.loads(tmp.read_text(encoding="utf-8"))
        except ValueError as e:
            raise DeviceError(f"{device.name}:{options.out}: runner result is not JSON ({e})") from None
        validate_result(obj, source=f"{device.name}:{options.out}")
    return obj
