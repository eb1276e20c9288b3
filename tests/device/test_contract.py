"""The device contract, once per transport: adb (the real client against a fake phone), ssh
(the real client against a loopback sshd) and local. Deploy and bench rely on exactly these
behaviours, whatever the device."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import pytest

from edgeocr.device import CommandFailed, DeviceError, DeviceTimeout, NoSpaceLeft
from edgeocr.device.info import MACHINE_TO_ABI, count_cpus, parse_max_freqs, parse_os_release
from edgeocr.errors import InputError
from edgeocr.utils.hashing import sha256_file
from tests.device.conftest import Target


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_shell_returns_exit_code_stdout_and_stderr(target: Target) -> None:
    r = target.device.shell("echo out; echo err >&2; exit 3")
    assert (r.exit_code, r.stdout, r.stderr, r.ok) == (3, "out\n", "err\n", False)
    assert r.duration_s > 0


def test_exit_and_syntax_errors_stay_inside_the_command(target: Target) -> None:
    dev = target.device
    assert dev.shell("exit 7").exit_code == 7
    assert dev.shell("exit 255").exit_code == 255  # ssh's own failures are 255 too: not confused
    r = dev.shell("echo (")
    assert r.exit_code == 2 and "syntax" in r.stderr.lower()


def test_check_raises_command_failed_with_its_result(target: Target) -> None:
    with pytest.raises(CommandFailed) as e:
        target.device.shell(["ls", "/no/such/path"], check=True)
    assert e.value.result.exit_code != 0
    assert "/no/such/path" in e.value.result.stderr and "/no/such/path" in str(e.value)


def test_env_and_cwd(target: Target) -> None:
    Path(target.workdir).mkdir()
    value = """it's "quoted" $HOME `x`"""
    r = target.device.shell('pwd; printf "%s\\n" "$GREETING"', env={"GREETING": value}, cwd=target.workdir, check=True)
    assert r.stdout.splitlines() == [target.workdir, value]
    assert target.device.shell("true", cwd=f"{target.workdir}/missing").exit_code != 0


def test_stdin_is_closed_and_large_output_arrives_whole(target: Target) -> None:
    assert target.device.shell("cat", timeout=20).stdout == ""
    r = target.device.shell("head -c 2000000 /dev/zero | tr '\\000' a; echo; echo done >&2", timeout=60)
    assert r.stdout == "a" * 2_000_000 + "\n" and r.stderr == "done\n"


def test_paths_with_spaces_and_shell_metacharacters_are_inert(target: Target, tmp_path: Path) -> None:
    dev = target.device
    evil = f"{target.workdir}/dir with space/$(touch pwned);x `touch pwned` 'q\"',c"
    dev.shell(["mkdir", "-p", evil], check=True)
    assert Path(evil).is_dir()

    src = tmp_path / "local $(touch pwned)" / "model; touch pwned.nb"
    src.parent.mkdir()
    src.write_bytes(b"weights")
    remote = f"{evil}/copy; touch pwned & echo"
    dev.push(src, remote)
    assert Path(remote).read_bytes() == b"weights"
    assert dev.sha256(remote) == sha256_file(src)
    assert dev.free_bytes(remote) > 0
    back = tmp_path / "back `touch pwned`" / "f $(x)"
    dev.pull(remote, back)
    assert back.read_bytes() == b"weights"
    dev.push(src.parent, f"{evil}/folder $(touch pwned)")
    assert Path(evil, "folder $(touch pwned)", src.name).read_bytes() == b"weights"

    shell_cwds = [tmp_path, Path.cwd(), Path.home()] + ([target.phone.root] if target.phone else [])
    assert not [p for d in shell_cwds for p in d.glob("pwned*")]
    assert not [p for p in tmp_path.rglob("pwned*")]


def test_timeout_abandons_the_command(target: Target) -> None:
    start = time.monotonic()
    with pytest.raises(DeviceTimeout, match="no result within 1 s"):
        target.device.shell("sleep 5", timeout=1)
    assert time.monotonic() - start < 4
    assert target.device.shell("echo alive").stdout == "alive\n"


def test_push_and_pull_a_file(target: Target, tmp_path: Path) -> None:
    dev, work = target.device, target.workdir
    src = tmp_path / "model.nb"
    src.write_bytes(os.urandom(700_000))  # several sync chunks and adb payloads
    src.chmod(0o755)
    remote = f"{work}/models/det/model.nb"
    dev.push(src, remote)  # missing parents are created
    assert Path(remote).read_bytes() == src.read_bytes()
    assert os.access(remote, os.X_OK)  # an executable stays executable (benchmark binaries)

    dev.push(src, f"{work}/models")  # an existing folder: into it, like cp
    assert Path(work, "models", "model.nb").read_bytes() == src.read_bytes()

    dev.pull(remote, tmp_path / "back" / "renamed.nb")
    assert (tmp_path / "back" / "renamed.nb").read_bytes() == src.read_bytes()
    dev.pull(remote, tmp_path / "back")  # an existing local folder: into it
    assert (tmp_path / "back" / "model.nb").read_bytes() == src.read_bytes()


def test_push_and_pull_a_folder_merge_instead_of_nesting(target: Target, tmp_path: Path) -> None:
    dev, work = target.device, target.workdir
    src = tmp_path / "bundle"
    (src / "sub" / "deeper").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "sub" / "b.bin").write_bytes(os.urandom(100_000))
    (src / "sub" / "deeper" / "c.txt").write_text("c")
    remote = f"{work}/bundle"
    dev.push(src, remote)
    assert tree(Path(remote)) == tree(src)

    Path(remote, "kept-on-device.txt").write_text("kept")
    (src / "new.txt").write_text("new")
    dev.push(src, remote)  # the target exists now: still merged, not remote/bundle/
    assert not Path(remote, "bundle").exists()
    assert tree(Path(remote)) == {**tree(src), "kept-on-device.txt": b"kept"}

    out = tmp_path / "pulled"
    out.mkdir()
    (out / "local-only.txt").write_text("local")
    dev.pull(remote, out)
    assert not (out / "bundle").exists()
    assert tree(out) == {**tree(Path(remote)), "local-only.txt": b"local"}


def test_missing_sources_are_clear_errors(target: Target, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder to push"):
        target.device.push(tmp_path / "absent", f"{target.workdir}/x")
    with pytest.raises(DeviceError, match="no such file or folder on the device"):
        target.device.pull(f"{target.workdir}/absent", tmp_path / "x")


def test_sha256_of_device_files(target: Target, tmp_path: Path) -> None:
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(5000))
    target.device.push(src, f"{target.workdir}/f.bin")
    assert target.device.sha256(f"{target.workdir}/f.bin") == sha256_file(src)
    assert target.device.sha256(f"{target.workdir}/absent.bin") is None


def test_free_bytes_measures_the_nearest_existing_folder(target: Target, tmp_path: Path) -> None:
    free = target.device.free_bytes(f"{target.workdir}/not/created/yet")
    st = os.statvfs(tmp_path)
    assert abs(free - st.f_bavail * st.f_frsize) < 256 * 2**20  # other writers share this disk
    target.device.require_free(target.workdir, 1024)
    with pytest.raises(NoSpaceLeft, match="needs"):
        target.device.require_free(target.workdir, 2**60)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_full_disk_raises_no_space_left(target: Target, tmp_path: Path, request: pytest.FixtureRequest, what: str) -> None:
    src = tmp_path / "payload"
    src.mkdir()
    (src / "big.bin").write_bytes(os.urandom(1 << 20))
    if target.phone is not None:
        target.phone.quota_bytes = target.phone.bytes_pushed + 200_000
        dest = Path(target.workdir, "payload")
    else:
        dest = request.getfixturevalue("tiny_fs") / "payload"
    with pytest.raises(NoSpaceLeft, match="No space left on device"):
        target.device.push(src / "big.bin" if what == "file" else src, str(dest))
    if what == "file":
        assert not dest.exists()  # no half-written file is left behind


def test_info_describes_the_device(target: Target) -> None:
    info = target.device.info()
    assert (info.serial, info.name, info.transport) == (target.device.serial, target.device.name, target.device.transport)
    cpu = Path("/sys/devices/system/cpu")
    assert info.cpu_cores == count_cpus((cpu / "possible").read_text())
    host_freqs = "".join(f"{p} {p.read_text()}" for p in cpu.glob("cpu[0-9]*/cpufreq/cpuinfo_max_freq"))
    assert info.cpu_max_freq_khz == parse_max_freqs(host_freqs)
    if target.phone is not None:
        assert (info.model, info.abi, info.os) == ("EdgeOCR Fake Phone", "arm64-v8a", "android 13")
    else:
        assert info.abi == MACHINE_TO_ABI.get(platform.machine(), platform.machine())
        pretty = parse_os_release(Path("/etc/os-release").read_text())["PRETTY_NAME"]
        assert info.os == f"linux {pretty}"
    assert json.loads(json.dumps(info.to_json()))["abi"] == info.abi


def test_state_of_a_working_device(target: Target) -> None:
    assert target.device.state() == "device"


def test_runs_a_python_runner_like_bench_will(target: Target, tmp_path: Path) -> None:
    runner = tmp_path / "runner.py"
    runner.write_text("import os, sys\nprint(os.environ['RUNS'], sys.argv[1])\nsys.exit(5)\n")
    dev = target.device
    dev.push(runner, f"{target.workdir}/runner.py")
    r = dev.shell([sys.executable, "runner.py", "arg with space"], cwd=target.workdir, env={"RUNS": "3"})
    assert (r.exit_code, r.stdout) == (5, "3 arg with space\n")
