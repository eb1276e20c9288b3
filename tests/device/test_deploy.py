"""Deploy over every transport (real adb client + fake phone, real ssh + loopback sshd, local):
what lands on the device, what is skipped the second time, and every refusal — wrong ABI,
wrong runtime version, missing library, no Python, no space — before the models are pushed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from edgeocr.bundle import Bundle
from edgeocr.device import AdbDevice, LocalDevice, NoSpaceLeft
from edgeocr.runner.deploy import AbiMismatch, DeployError, DeployRequest, VersionMismatch, deploy
from edgeocr.runner.payload import Payload
from edgeocr.runner.runtime_lib import RuntimeLibraryError
from edgeocr.utils.atomic import write_json
from tests.device.conftest import NASTY, X86_PROPS
from tests.device.fake_adbd import FakeAdbDevice

PROBE = ('{{"schema": "edgeocr-runner-probe/1", "runner": {{"name": "fake-native", "version": "0", "backend": "lite"}}, '
         '"runtime_version": "{version}"}}')
FAKE_NATIVE = """#!/bin/sh
# Stands in for the native runner: it needs its libraries where deploy says they are.
for lib in libpaddle_light_api_shared.so libc++_shared.so; do
  if [ ! -f "$LD_LIBRARY_PATH/$lib" ]; then
    echo '{{"error": {{"code": "missing_dependency", "message": "not on LD_LIBRARY_PATH"}}}}'; exit 6
  fi
done
if [ "$1" = --probe ]; then echo '""" + PROBE + """'; exit 0; fi
echo '{{"error": {{"code": "model", "message": "det.nb: cannot load"}}}}'
exit 4
"""


def fake_native(folder: Path, version: str = "v2.13-rc", libs: tuple[str, ...] = ("libpaddle_light_api_shared.so",
                                                                                    "libc++_shared.so")) -> tuple[Path, Path]:
    """A fake native runner and a folder of fake runtime libraries of ``version``."""
    folder.mkdir(parents=True, exist_ok=True)
    runner = folder / "edgeocr-runner"
    runner.write_text(FAKE_NATIVE.format(version=version))
    runner.chmod(0o755)
    for name in libs:
        (folder / "libs" / name).parent.mkdir(exist_ok=True)
        (folder / "libs" / name).write_bytes(b"\x7fELF" + bytes(16) + f"\0{version}\0".encode() + bytes(16))
    return runner, folder / "libs"


def on_device(workdir: str) -> dict[str, str]:
    root = Path(workdir)
    return {p.relative_to(root).as_posix(): p.stat().st_mode for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(params=["adb", "ssh", "local"])
def x86_device(request: pytest.FixtureRequest, tmp_path: Path):
    """An x86_64 device of each transport, with a work folder whose name tries shell injection."""
    workdir = str(tmp_path / NASTY)
    if request.param == "adb":
        return AdbDevice(request.getfixturevalue("x86_phone").serial, workdir=workdir)
    if request.param == "ssh":
        return request.getfixturevalue("sshd").device(name="board", workdir=workdir)
    return LocalDevice(workdir=workdir)


def test_deploy_pushes_then_skips_then_removes(x86_device, x86_bundle: Path, tmp_path: Path) -> None:
    request = DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), python=sys.executable)
    first = deploy(x86_device, request)
    assert {a.action for a in first.files} == {"pushed"}
    files = on_device(first.workdir)
    expected = {f"bundle/{name}" for name in request.payload.files} | {
        "runner/edgeocr-runner.pyz", "runner/targets/x86_64.yml", "deploy.json"}
    assert set(files) == expected
    manifest = json.loads((Path(first.workdir) / "deploy.json").read_text())
    assert manifest["runtime_version"] == first.runtime_version == "v2.13-rc"
    assert manifest["runner"]["kind"] == "python" and manifest["device"]["abi"] == "x86_64"

    (Path(first.workdir) / "bundle" / "old.nb").write_bytes(b"stale")
    again = deploy(x86_device, request)
    actions = {a.path: a.action for a in again.files}
    actions.pop("runner/edgeocr-runner.pyz")  # rebuilt from edgeocr's sources, which may change meanwhile
    assert actions.pop("bundle/old.nb") == "removed" and set(actions.values()) == {"unchanged"}
    assert set(on_device(first.workdir)) == expected
    assert not list(tmp_path.rglob("PWNED*")) and not list(Path.cwd().glob("PWNED*"))


def test_wrong_abi_is_refused_before_anything_is_pushed(phone: FakeAdbDevice, x86_bundle: Path, tmp_path: Path) -> None:
    device = AdbDevice(phone.serial, workdir=str(tmp_path / "w"))
    with pytest.raises(AbiMismatch, match=r"is for target x86_64 \(ABI x86_64\) but the device runs arm64-v8a, "
                                          r"armeabi-v7a, armeabi; convert for it \(edgeocr convert --target arm64-v8a"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), python=sys.executable))
    assert not (tmp_path / "w").exists()


def test_python_runtime_version_is_checked_before_the_models(x86_phone, x86_bundle: Path, tmp_path: Path) -> None:
    copy = tmp_path / "old bundle"
    shutil.copytree(x86_bundle, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["converter"]["version"] = "v2.10"
    write_json(copy / "manifest.json", manifest)
    device = AdbDevice(x86_phone.serial, workdir=str(tmp_path / "w"))
    with pytest.raises(VersionMismatch, match=r"runtime v2.13-rc but bundle .*old bundle was converted by opt v2.10"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(copy)), python=sys.executable))
    assert (tmp_path / "w" / "runner").is_dir() and not (tmp_path / "w" / "bundle").exists()


def test_no_python_on_the_device(x86_phone, x86_bundle: Path, tmp_path: Path) -> None:
    device = AdbDevice(x86_phone.serial, workdir=str(tmp_path / "w"))
    with pytest.raises(DeployError, match=r"(?s)does not start \(exit 127\).*pass --python PATH"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), python="/no/such/python3"))


def test_native_runner_and_its_libraries(phone: FakeAdbDevice, arm_bundle: Path, tmp_path: Path) -> None:
    runner, libs = fake_native(tmp_path / "native")
    device = AdbDevice(phone.serial, workdir=str(tmp_path / "w"))
    deployment = deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(arm_bundle)), runner, (libs,)))
    files = on_device(deployment.workdir)
    assert {"lib/libpaddle_light_api_shared.so", "lib/libc++_shared.so"} <= set(files)
    assert files["runner/edgeocr-runner"] & 0o111
    assert deployment.env == {"LD_LIBRARY_PATH": f"{deployment.workdir}/lib"}
    assert deployment.runtime_version == "v2.13-rc" and deployment.runner["name"] == "fake-native"


def test_native_refusals_come_before_the_device_is_touched(phone, arm_bundle, x86_bundle, tmp_path) -> None:
    device = AdbDevice(phone.serial, workdir=str(tmp_path / "w"))
    runner, libs = fake_native(tmp_path / "only main", libs=("libpaddle_light_api_shared.so",))
    with pytest.raises(RuntimeLibraryError, match=r"missing runtime library libc\+\+_shared.so"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(arm_bundle)), runner, (libs,)))
    runner, libs = fake_native(tmp_path / "old", version="v2.12")
    with pytest.raises(VersionMismatch, match=r"libpaddle_light_api_shared.so: Paddle-Lite runtime v2.12 but bundle "
                                              r".* was converted by opt v2.13-rc"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(arm_bundle)), runner, (libs,)))
    with pytest.raises(DeployError, match="target x86_64 has no native Paddle-Lite library"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), runner, (libs,)))
    with pytest.raises(DeployError, match="--runtime-lib is for the native runner"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(arm_bundle)), runtime_libs=(libs,)))
    runner, libs = fake_native(tmp_path / "native")
    for odd in ("a:b", "a;b"):
        with pytest.raises(DeployError, match="has ':' or ';', which split LD_LIBRARY_PATH"):
            deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(arm_bundle)), runner, (libs,),
                                         workdir=str(tmp_path / odd)))
    assert not (tmp_path / "w").exists() and not (tmp_path / "a:b").exists()


def test_model_sets_stay_on_this_host(x86_phone, pulled_models) -> None:
    with pytest.raises(DeployError, match="--models runs Paddle Inference, which edgeocr runs on this host only"):
        deploy(AdbDevice(x86_phone.serial), DeployRequest(Payload.models(pulled_models.det.parent)))


def test_a_full_phone(make_phone: Callable[..., FakeAdbDevice], x86_bundle: Path, tmp_path: Path) -> None:
    phone = make_phone(props=X86_PROPS, quota_bytes=2 * 2**20)  # the runner fits, rec.nb does not
    device = AdbDevice(phone.serial, workdir=str(tmp_path / "w"))
    with pytest.raises(NoSpaceLeft, match="No space left on device"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), python=sys.executable))
    assert not (tmp_path / "w" / "deploy.json").exists()


def test_free_space_is_checked_before_the_first_push(tiny_fs: Path, x86_bundle: Path) -> None:
    device = LocalDevice(workdir=str(tiny_fs / "w"))
    with pytest.raises(NoSpaceLeft, match=r"needs 1\d\.\d MiB but only 0\.\d MiB are free"):
        deploy(device, DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle))))
    assert not (tiny_fs / "w").exists()


def test_a_failed_redeploy_leaves_a_deploy_json_that_tells_the_truth(x86_bundle: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from edgeocr.runner import deploy as deploy_module
    from edgeocr.utils.hashing import sha256_file

    device = LocalDevice(workdir=str(tmp_path / "w"))
    request = DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)))
    deploy(device, request)
    assert json.loads((tmp_path / "w" / "deploy.json").read_text())["status"] == "complete"
    (tmp_path / "w" / "bundle" / "stale.nb").write_bytes(b"left from before")

    def broken_probe(*args, **kwargs):
        raise DeployError("the runner broke on the way")

    monkeypatch.setattr(deploy_module, "probe_runner", broken_probe)
    with pytest.raises(DeployError, match="the runner broke"):
        deploy(device, request)
    record = json.loads((tmp_path / "w" / "deploy.json").read_text())
    assert record["status"] == "failed" and record["error"] == "the runner broke on the way"
    on_disk = {str(p.relative_to(tmp_path / "w")): sha256_file(p) for p in (tmp_path / "w").rglob("*")
               if p.is_file() and p.name != "deploy.json"}
    assert record["files_sha256"] == on_disk and "bundle/stale.nb" in on_disk


def _program(folder: Path, interpreter: str | None = None) -> Path:
    """A real x86_64 ELF program; ``interpreter`` overrides its dynamic linker (as an NDK build
    names Android's)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    flags = [f"-Wl,--dynamic-linker={interpreter}"] if interpreter else []
    subprocess.run(["gcc", "-o", str(folder / "edgeocr-runner"), str(folder / "main.c"), *flags], check=True)
    return folder / "edgeocr-runner"


def test_a_runner_for_another_os_is_refused_before_anything_is_pushed(phone, arm_bundle, tmp_path) -> None:
    from dataclasses import replace

    from edgeocr.runner.deploy import RunnerMismatch

    _, libs = fake_native(tmp_path / "libs")
    payload = Payload.of_bundle(Bundle.load(arm_bundle))
    glibc = _program(tmp_path / "glibc")
    with pytest.raises(RunnerMismatch, match=r"an Linux \(glibc\) program \(interpreter /lib64/ld-linux-x86-64.so.2\) "
                                             r"cannot run on .*, which runs android 13"):
        deploy(AdbDevice(phone.serial, workdir=str(tmp_path / "phone")), DeployRequest(payload, glibc, (libs,)))
    board = LocalDevice(workdir=str(tmp_path / "board"))
    real_info = board.info
    board.info = lambda timeout=30.0: replace(real_info(timeout), abi="arm64-v8a")  # stands in for an ARM board
    android = _program(tmp_path / "android", interpreter="/system/bin/linker64")
    with pytest.raises(RunnerMismatch, match=r"an Android \(bionic\) program .* cannot run on local"):
        deploy(board, DeployRequest(payload, android, (libs,)))
    with pytest.raises(RunnerMismatch, match=r"built for x86_64 \(64-bit\), but local runs arm64-v8a"):
        deploy(board, DeployRequest(payload, glibc, (libs,)))
    assert not (tmp_path / "phone").exists() and not (tmp_path / "board").exists()
