"""The emulated arm64 board (a Debian arm64 user space under qemu-user): the device contract,
real aarch64 programs, ``shell_under``, ``edgeocr devices``, and deploy of an armlinux-aarch64
bundle with a native aarch64 runner, while an x86_64 bundle is refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeocr.bundle import Bundle
from edgeocr.cli.devices_cmd import devices
from edgeocr.device import DeviceNotFound, DeviceOffline, DeviceUnauthorized, EmulatedDevice, get_device
from edgeocr.device import emulated as emulated_module
from edgeocr.device.info import count_cpus
from edgeocr.runner.deploy import AbiMismatch, DeployRequest, deploy
from edgeocr.runner.payload import Payload
from edgeocr.utils.hashing import sha256_file
from tests.device import test_contract
from tests.device.conftest import NASTY, Target

CROSS_CXX = "aarch64-linux-gnu-g++"
#: contract tests that hold only where the device is this host's own CPU; replaced below
HOST_ONLY = {
    "test_info_describes_the_device",  # expects this host's ABI: test_info_reports_an_emulated_aarch64_board
    "test_runs_a_python_runner_like_bench_will",  # this host's Python: test_an_aarch64_program_runs_by_a_plain_path
}
# The device contract, every test of it, run here against the emulated board (``target`` below).
globals().update({name: test for name, test in vars(test_contract).items()
                  if name.startswith("test_") and name not in HOST_ONLY})

HELLO = r"""
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
int main(int argc, char** argv) {
  std::string greeting = "hello from aarch64";  // libstdc++
  std::cout << greeting << "\n";
  for (int i = 1; i < argc; ++i) std::cout << "arg " << argv[i] << "\n";
  const char* libs = std::getenv("LD_LIBRARY_PATH");
  std::cout << "LD_LIBRARY_PATH " << (libs ? libs : "") << "\n";
  std::ifstream in(argc > 1 ? argv[1] : "");
  std::string line;
  if (std::getline(in, line)) std::cout << "read " << line << "\n";
  return argc - 1;
}
"""
LITE = 'extern "C" const char* paddlelite_tag() { return "v2.13-rc"; }\n'  # what runtime_lib reads the version from
RUNNER = r"""
#include <iostream>
#include <string>
extern "C" const char* paddlelite_tag();
int main(int argc, char** argv) {  // the runner contract's --probe, with the runtime's own version
  if (argc > 1 && std::string(argv[1]) == "--probe") {
    std::cout << R"({"schema": "edgeocr-runner-probe/1", "runner": {"name": "fake-aarch64", "version": "0", )"
              << R"("backend": "lite"}, "runtime_version": ")" << paddlelite_tag() << "\"}" << std::endl;
    return 0;
  }
  std::cout << R"({"error": {"code": "model", "message": "this fake runner runs no models"}})" << std::endl;
  return 4;
}
"""


@pytest.fixture
def target(emulated_target: Target) -> Target:
    return emulated_target


@pytest.fixture(scope="session")
def aarch64(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real aarch64 programs built with Debian's cross compiler: ``hello``, and a fake native
    runner linked against a fake ``lib/libpaddle_light_api_shared.so`` of version v2.13-rc."""
    if shutil.which(CROSS_CXX) is None:
        pytest.skip(f"{CROSS_CXX} not installed (apt-get install g++-aarch64-linux-gnu)")
    out = tmp_path_factory.mktemp("aarch64")
    (out / "lib").mkdir()
    for name, source in {"hello.cpp": HELLO, "lite.cpp": LITE, "runner.cpp": RUNNER}.items():
        (out / name).write_text(source)
    for args in (["-o", "hello", "hello.cpp"],
                 ["-shared", "-fPIC", "-o", "lib/libpaddle_light_api_shared.so", "lite.cpp"],
                 ["-o", "edgeocr-runner", "runner.cpp", "-Llib", "-lpaddle_light_api_shared"]):
        subprocess.run([CROSS_CXX, "-O1", *args], cwd=out, check=True, capture_output=True, timeout=300)
    return out


def test_info_reports_an_emulated_aarch64_board(emulated: EmulatedDevice) -> None:
    info = emulated.info()
    assert (info.serial, info.name, info.transport, info.abi) == ("qemu-arm64", "qemu-arm64", "qemu", "arm64-v8a")
    assert "emulated" in info.model and info.os == "linux Debian GNU/Linux 12 (bookworm)"
    assert info.cpu_cores == count_cpus(Path("/sys/devices/system/cpu/possible").read_text())  # this host's cores
    assert emulated.shell("uname -m", check=True).stdout == "aarch64\n"
    assert "emulated" in emulated.latency_note and "not a phone's" in emulated.latency_note


def test_device_paths_are_inside_the_user_space(emulated: EmulatedDevice, tmp_path: Path) -> None:
    root, work = emulated.root, f"{emulated.workdir}/{NASTY}"
    src = tmp_path / "f $(touch PWNED).bin"
    src.write_bytes(os.urandom(50_000))
    emulated.push(src, f"{work}/models/{src.name}")
    assert Path(f"{root}{work}/models", src.name).read_bytes() == src.read_bytes()
    assert not Path(work).exists()  # a device path, not this host's
    assert emulated.sha256(f"{work}/models/{src.name}") == sha256_file(src)
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_text("x")
    emulated.push(folder, work)
    emulated.pull(work, tmp_path / "back")
    assert (tmp_path / "back" / "sub" / "x.txt").read_text() == "x"
    assert (tmp_path / "back" / "models" / src.name).read_bytes() == src.read_bytes()
    listed = emulated.shell(["find", work, "-type", "f"], check=True).stdout.splitlines()
    assert sorted(listed) == sorted([f"{work}/models/{src.name}", f"{work}/sub/x.txt"])
    machine = emulated.shell(["od", "-An", "-tx1", "-j18", "-N1", "/usr/bin/sha256sum"], check=True).stdout.split()
    assert machine == ["b7"]  # e_machine EM_AARCH64: the user space's own sha256sum, find and od
    assert not [p for d in (root, Path(f"{root}{work}"), tmp_path, Path.cwd()) for p in d.glob("PWNED*")]


def test_an_aarch64_program_runs_by_a_plain_path(emulated: EmulatedDevice, aarch64: Path) -> None:
    program = f"{emulated.workdir}/bin dir/hello"
    emulated.push(aarch64 / "hello", program)
    r = emulated.shell([program, "arg with space"], env={"LD_LIBRARY_PATH": "/x"}, cwd=emulated.workdir)
    assert (r.exit_code, r.stdout) == (1, "hello from aarch64\narg arg with space\nLD_LIBRARY_PATH /x\n")


def test_shell_under_runs_a_device_program_from_this_host(emulated: EmulatedDevice, aarch64: Path,
                                                          tmp_path: Path) -> None:
    work, root = emulated.workdir, emulated.root
    emulated.push(aarch64 / "hello", f"{work}/hello")
    (tmp_path / "msg.txt").write_text("the device's file\n")
    emulated.push(tmp_path / "msg.txt", f"{work}/data dir/msg.txt")
    r = emulated.shell_under(["qemu-aarch64-static"], [f"{work}/hello", f"{work}/data dir/../data dir/msg.txt", "plain"],
                             env={"LD_LIBRARY_PATH": f"{work}/lib:/lib/../usr/lib:relative"})
    assert r.exit_code == 2, r.stderr
    assert r.stdout.splitlines() == [
        "hello from aarch64",
        f"arg {root}{work}/data dir/msg.txt",
        "arg plain",
        f"LD_LIBRARY_PATH {root}{work}/lib:{root}/usr/lib:relative",
        "read the device's file",
    ]


def test_a_cpu_class_is_what_the_devices_programs_see(emulated_root_dir: Path, tmp_path: Path) -> None:
    phone = EmulatedDevice(emulated_root_dir, workdir=f"/tmp/{tmp_path.name}", cpu="sm8150")
    assert phone.name == "qemu-arm64-sm8150" and "CPU class sm8150: Snapdragon 855" in phone.info().model
    inside = phone.shell("grep Hardware /proc/cpuinfo; grep -c processor /proc/cpuinfo; "
                         "cat /sys/devices/system/cpu/online /sys/devices/system/cpu/cpu7/cpufreq/cpuinfo_max_freq",
                         check=True).stdout
    assert inside == "Hardware\t: Qualcomm Technologies, Inc SM8150\n8\n0-7\n2841600\n"
    under = phone.shell_under(["qemu-aarch64-static"], ["/bin/grep", "-h", "Hardware\\|^0-7", "/proc/cpuinfo",
                                                       "/sys/devices/system/cpu/possible"])
    assert (under.exit_code, under.stdout) == (0, "Hardware\t: Qualcomm Technologies, Inc SM8150\n0-7\n"), under.stderr
    plain = EmulatedDevice(emulated_root_dir, workdir=f"/tmp/{tmp_path.name}")
    assert "SM8150" not in plain.shell("cat /proc/cpuinfo", check=True).stdout  # the binds end with each command
    assert not (emulated_root_dir / "proc" / "cpuinfo").exists()  # nothing is written into the user space
    assert not Path("/sys/devices/system/cpu/cpu7").exists() or os.cpu_count() >= 8  # nor into this host's


def test_setup_is_a_quick_no_op_once_done(emulated_root_dir: Path) -> None:
    marker = emulated_root_dir / emulated_module.MARKER
    before = marker.read_bytes()
    assert emulated_module.setup_emulated(emulated_root_dir) == emulated_root_dir
    assert marker.read_bytes() == before


def test_what_is_missing_is_a_typed_error_that_says_what_to_run(tmp_path: Path, emulated_root_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    absent = EmulatedDevice(tmp_path / "no user space")
    with pytest.raises(DeviceNotFound, match="no emulated arm64 user space in .*: run 'edgeocr devices emulated-setup'"):
        absent.shell("true")
    assert absent.state() == "not found"
    binfmt = tmp_path / "binfmt_misc"
    binfmt.mkdir()
    monkeypatch.setattr(emulated_module, "BINFMT_DIR", binfmt)
    with pytest.raises(DeviceOffline, match="binfmt_misc is not mounted .*'edgeocr devices emulated-setup'"):
        EmulatedDevice(emulated_root_dir).shell("true")
    (binfmt / "status").write_text("enabled\n")
    assert "update-binfmts --enable qemu-aarch64" in emulated_module.binfmt_problem()
    (binfmt / "qemu-aarch64").write_text("enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: P\noffset 0\n")
    assert "lacks the fix-binary flag F (flags: P)" in emulated_module.binfmt_problem()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(DeviceUnauthorized, match="needs root"):
        EmulatedDevice(emulated_root_dir).shell("true")
    with pytest.raises(DeviceUnauthorized, match="needs root"):
        emulated_module.setup_emulated(tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_devices_lists_it_once_set_up(adb_server: int, emulated_root_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "devices.yml").write_text("boards: []\n")
    monkeypatch.setenv("EDGEOCR_DEVICES", str(tmp_path / "devices.yml"))
    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    out = tmp_path / "devices.json"
    result = CliRunner().invoke(devices, ["--json", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("| qemu-arm64 "))
    assert "| qemu " in row and "| device " in row and "| arm64-v8a " in row
    rows = {r["name"]: r for r in json.loads(out.read_text())}
    assert rows["qemu-arm64"]["model"] == emulated_module.MODEL

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(tmp_path / "never set up"))
    result = CliRunner().invoke(devices, [], catch_exceptions=False)
    assert result.exit_code == 0 and "qemu-arm64" not in result.output


def test_deploy_a_native_aarch64_runner_and_an_armlinux_bundle(emulated: EmulatedDevice, aarch64: Path,
                                                               armlinux_bundle: Path, x86_bundle: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated.root))
    device = get_device(emulated=True)
    # glibc's loader splits LD_LIBRARY_PATH at ';' as well as ':', so no native runner finds its
    # libraries in a work folder with either in its name, on any board: the rest of NASTY it is
    workdir = f"{emulated.workdir}/{NASTY.replace(';', '')}"
    request = DeployRequest(Payload.of_bundle(Bundle.load(armlinux_bundle)), aarch64 / "edgeocr-runner",
                            (aarch64 / "lib",), workdir=workdir)
    deployment = deploy(device, request)
    assert deployment.info.abi == "arm64-v8a" and deployment.info.transport == "qemu"
    assert deployment.runner["name"] == "fake-aarch64" and deployment.runtime_version == "v2.13-rc"
    here = Path(f"{emulated.root}{workdir}")
    assert {"runner/edgeocr-runner", "lib/libpaddle_light_api_shared.so", "deploy.json"} <= {
        p.relative_to(here).as_posix() for p in here.rglob("*") if p.is_file()}
    for name, local in request.payload.files.items():
        assert sha256_file(here / "bundle" / name) == sha256_file(local)
    assert json.loads((here / "deploy.json").read_text())["status"] == "complete"

    # the same runner, started from this host under another qemu (as an instruction counter would)
    r = device.shell_under(["qemu-aarch64-static"], [*deployment.command, "--probe"], env=deployment.env, timeout=120)
    assert r.exit_code == 0 and json.loads(r.stdout)["runtime_version"] == "v2.13-rc", r.stderr
    assert not [p for d in (emulated.root, here.parent, Path.cwd()) for p in d.glob("PWNED*")]

    x86 = DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), python=sys.executable, workdir=f"{workdir}-x86")
    with pytest.raises(AbiMismatch, match=r"is for target x86_64 \(ABI x86_64\) but the device runs arm64-v8a; "
                                          r"convert for it \(edgeocr convert --target arm64-v8a or armlinux-aarch64"):
        deploy(device, x86)
    assert not Path(f"{emulated.root}{workdir}-x86").exists()
