"""An emulated ARM Linux board on this host: a Debian arm64 user space whose programs run
under Debian's qemu-user, driven through the same ``Device`` interface as a real board.

It exists so that deploy, bench and the native runner's aarch64 build can be exercised end
to end where no phone or board is attached (CI included). It runs real aarch64 code, so it
answers correctness questions; its latency is emulation on this host's CPU (60-240x slower
than native) and never stands for a phone's or a board's (``latency_note`` says so).

The user space (``emulated_root()``: ``$EDGEOCR_EMULATED_ROOT``, else
``<edgeocr home>/emulated/arm64``) is built once by ``setup_emulated`` from Debian packages
fetched by name with a private apt configuration and unpacked with ``dpkg-deb -x`` (no
maintainer scripts run, nothing of the system's apt or dpkg state is touched).

Every command runs inside it, as on a board: ``unshare --mount`` gives the command a private
mount namespace in which this host's ``/dev``, ``/proc`` and ``/sys`` (and any ``shared``
host folders, at their own paths) are bound into the user space, then ``chroot`` starts the
user space's ``/bin/sh``; the kernel hands every aarch64 program to ``qemu-aarch64-static``
through binfmt_misc, whose fix-binary flag (F) makes the interpreter usable inside the
chroot. The binds vanish with the command, so nothing stays mounted into the user space and
deleting it can never reach into this host's ``/dev``. So ``uname -m`` says ``aarch64``,
``sha256sum``/``find``/``df``/``tar`` are the user space's, and a device path such as
``/opt/edgeocr`` is ``<root>/opt/edgeocr`` here. Files travel as ``cat``/``tar`` streams
through that shell, exactly as over ssh. Needs root (chroot, mount namespaces).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import platform
import posixpath
import shlex
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence
from urllib.parse import unquote

from edgeocr.device.base import Device
from edgeocr.device.cpu_classes import cpu_class
from edgeocr.device.errors import DeviceError, DeviceNotFound, DeviceOffline, DeviceUnauthorized
from edgeocr.device.process import run_process
from edgeocr.device.shell import ShellResult, to_script
from edgeocr.device.ssh import SshDevice
from edgeocr.errors import InputError
from edgeocr.paths import home
from edgeocr.utils.atomic import atomic_dir, write_json

SERIAL = "qemu-arm64"
ROOT_ENV = "EDGEOCR_EMULATED_ROOT"
DEFAULT_WORKDIR = "/opt/edgeocr"
SETUP_COMMAND = "edgeocr devices emulated-setup"
MODEL = "QEMU user-mode aarch64 (emulated)"
LATENCY_NOTE = (f"emulated: qemu-user runs the aarch64 code on this host's {platform.machine()} CPU, typically "
                "60-240x slower than native; not a phone's or a board's latency")

SUITE = "bookworm"  # the glibc and libstdc++ of Debian's g++-aarch64-linux-gnu on the CI image
MIRROR = "http://deb.debian.org/debian"
#: what is asked for by name (apt adds the dependencies): a shell and the tools the device
#: layer's scripts use, /etc/os-release, and the C/C++ runtime that Paddle-Lite's ARM
#: library and the native runner link against
PACKAGES = ("base-files", "dash", "coreutils", "findutils", "grep", "sed", "tar",
            "libc6", "libc-bin", "libgcc-s1", "libstdc++6", "libgomp1")
MARKER = "etc/edgeocr-userspace.json"  # written last: a user space without it is not one
FORMAT = "edgeocr-emulated/1"

BINFMT_DIR = Path("/proc/sys/fs/binfmt_misc")
BINFMT_ENTRY = "qemu-aarch64"
BOUND = ("/dev", "/proc", "/sys")  # this host's own, bound into the user space
#: the environment every device program starts with (never this host's)
DEVICE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
              "LANG": "C.UTF-8"}

# What a CPU class shows in place of this host's files (``CpuClass``), bound over them.
CPU_VIEWS = ("/proc/cpuinfo", "/sys/devices/system/cpu")
_BIND_VIEWS = " && ".join(f'mount --bind "$views{p}" "$root{p}"' for p in CPU_VIEWS)
# Runs on this host in the command's private mount namespace: $1 user space, $2 chroot,
# $3 the device script, $4 the CPU class's views ('' for this host's own), then the shared folders.
_ENTER = """root=$1 chroot=$2 script=$3 views=$4; shift 4
for d in {bound} "$@"; do mkdir -p "$root$d" && mount --rbind "$d" "$root$d" || exit 125; done
[ -z "$views" ] || {{ {bind_views}; }} || exit 125
exec env -i {env} "$chroot" "$root" /bin/sh -c "$script"
""".format(bind_views=_BIND_VIEWS, bound=" ".join(BOUND), env=" ".join(shlex.quote(f"{k}={v}") for k, v in DEVICE_ENV.items()))

Log = Callable[[str], None]


class EmulatedSetupError(DeviceError):
    """The emulated device's user space or binfmt registration could not be made."""


class ArchiveUnreachable(EmulatedSetupError):
    """The Debian archive could not be reached to fetch the user space's packages."""


def emulated_root() -> Path:
    """Where the arm64 user space lives: ``$EDGEOCR_EMULATED_ROOT``, else ``<home>/emulated/arm64``."""
    env = os.environ.get(ROOT_ENV)
    return Path(env).expanduser() if env else home() / "emulated" / "arm64"


def is_set_up(root: Path | None = None) -> bool:
    """Whether a complete user space is at ``root`` (what ``edgeocr devices`` lists it by)."""
    return (Path(root or emulated_root()) / MARKER).is_file()


def _host_tool(name: str) -> str:
    """A host program by name; root's tools live in sbin, which a user's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin") or name


def binfmt_problem() -> str | None:
    """Why aarch64 programs cannot start inside the user space, or None when they can."""
    status = BINFMT_DIR / "status"
    if not status.exists():
        return f"binfmt_misc is not mounted (mount -t binfmt_misc binfmt_misc {BINFMT_DIR})"
    if status.read_text().strip() != "enabled":
        return f"binfmt_misc is disabled (echo 1 > {status})"
    entry = BINFMT_DIR / BINFMT_ENTRY
    try:
        lines = entry.read_text().splitlines()
    except FileNotFoundError:
        return f"{BINFMT_ENTRY} is not registered with binfmt_misc (update-binfmts --enable {BINFMT_ENTRY})"
    if lines[0] != "enabled":
        return f"binfmt_misc's {BINFMT_ENTRY} entry is disabled (echo 1 > {entry})"
    flags = next((line.partition(":")[2].strip() for line in lines if line.startswith("flags:")), "")
    if "F" not in flags:
        return (f"binfmt_misc's {BINFMT_ENTRY} entry lacks the fix-binary flag F (flags: {flags or 'none'}), so its "
                "interpreter cannot be found inside a chroot; register Debian qemu-user-static's entry instead")
    return None


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise DeviceUnauthorized(f"{what} needs root (chroot and private mount namespaces); run it as root")


# -- building the user space ---------------------------------------------------------------


def _run(argv: Sequence[str], what: str, timeout: float = 600.0) -> None:
    proc = run_process(argv, what=what, timeout=timeout)
    if proc.returncode:
        tail = "\n  ".join(proc.text().splitlines()[-10:])
        raise EmulatedSetupError(f"{what} failed (exit {proc.returncode}):\n  {tail}")


def enable_binfmt() -> None:
    """Mount binfmt_misc and enable Debian's qemu-aarch64 entry when they are not (again on
    every fresh machine: the kernel forgets both at boot)."""
    status, entry = BINFMT_DIR / "status", BINFMT_DIR / BINFMT_ENTRY
    if not status.exists():
        _run([_host_tool("mount"), "-t", "binfmt_misc", "binfmt_misc", str(BINFMT_DIR)], "mounting binfmt_misc")
    if not entry.exists():
        _run([_host_tool("update-binfmts"), "--enable", BINFMT_ENTRY], f"update-binfmts --enable {BINFMT_ENTRY}")
    for switch in (status, entry):  # registered but switched off: update-binfmts says "already enabled"
        if switch.exists() and switch.read_text().split("\n")[0] != "enabled":
            switch.write_text("1")
    problem = binfmt_problem()
    if problem is not None:
        raise EmulatedSetupError(f"{problem}; install Debian's qemu-user-static and binfmt-support")


def _download(apt: Path, log: Log) -> list[Path]:
    """The arm64 .debs of ``PACKAGES`` and their dependencies, fetched with apt-get under a
    private configuration: its own sources, lists, cache and (empty) dpkg status, so the
    system's apt and dpkg state is neither read for packages nor changed (its apt.conf.d,
    e.g. a proxy, still applies)."""
    for folder in ("lists/partial", "cache/archives/partial", "none"):
        (apt / folder).mkdir(parents=True)
    (apt / "status").touch()
    (apt / "sources.list").write_text(f"deb {MIRROR} {SUITE} main\n")
    settings = {
        "APT::Architecture": "arm64", "APT::Architectures": "arm64",
        "Dir::Etc::SourceList": apt / "sources.list", "Dir::Etc::SourceParts": apt / "none",
        "Dir::Etc::Preferences": apt / "none" / "preferences", "Dir::Etc::PreferencesParts": apt / "none",
        "Dir::State::Lists": apt / "lists", "Dir::State::status": apt / "status", "Dir::Cache": apt / "cache",
        "Debug::NoLocking": "1", "APT::Sandbox::User": "root",  # our folders are root's: no _apt download user
    }
    options = ["-q", *(arg for key, value in settings.items() for arg in ("-o", f"{key}={value}"))]
    log(f"emulated-setup: fetching Debian {SUITE} arm64 packages from {MIRROR}: {' '.join(PACKAGES)} (+ dependencies)")
    try:
        _run(["apt-get", *options, "update"], f"apt-get update ({MIRROR} {SUITE})")
    except EmulatedSetupError as e:
        raise ArchiveUnreachable(f"cannot reach the Debian archive: {e}") from None
    if not any((apt / "lists").glob("*_Packages*")):
        raise ArchiveUnreachable(f"cannot reach the Debian archive: apt-get update fetched no arm64 package list "
                                 f"from {MIRROR} {SUITE}")
    _run(["apt-get", *options, "install", "-y", "--download-only", "--no-install-recommends", *PACKAGES],
         "apt-get install --download-only")
    return sorted((apt / "cache" / "archives").glob("*.deb"))


def _build(tree: Path, log: Log) -> dict:
    """Unpack the packages into the empty folder ``tree``; the marker's contents."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="edgeocr-emulated-apt-") as apt:
        debs = _download(Path(apt), log)
        for deb in debs:
            _run(["dpkg-deb", "-x", str(deb), str(tree)], f"dpkg-deb -x {deb.name}")
    # libc-bin's maintainer script would run ldconfig; running it here also proves that the
    # user space starts under qemu before it is put into place
    _run([_host_tool("chroot"), str(tree), "/sbin/ldconfig"], "ldconfig inside the new user space")
    installed = dict(unquote(deb.name).split("_")[:2] for deb in debs)
    log(f"emulated-setup: {len(debs)} packages fetched and unpacked in {time.monotonic() - start:.0f} s")
    return {"format": FORMAT, "suite": SUITE, "mirror": MIRROR, "packages": list(PACKAGES), "installed": installed,
            "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_s": round(time.monotonic() - start, 1)}


def _is_current(root: Path) -> bool:
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (marker.get("format"), marker.get("suite"), marker.get("packages")) == (FORMAT, SUITE, list(PACKAGES))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One set-up at a time per user space (two CI jobs sharing a home)."""
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def setup_emulated(root: str | os.PathLike | None = None, log: Log = lambda _: None) -> Path:
    """Make the emulated device usable and return its user space folder: binfmt_misc mounted
    and qemu-aarch64 enabled, and the user space built unless a current one is already there
    (a quick no-op then, so CI can call it on every run).

    A new user space is built in a temporary folder beside ``root`` and renamed into place
    with its marker inside, so there is never a half-built one; one built for another
    package list is replaced the same way.
    """
    root = Path(root or emulated_root()).absolute()
    _require_root("setting up the emulated device")
    enable_binfmt()
    root.parent.mkdir(parents=True, exist_ok=True)
    with _locked(root.parent / f".{root.name}.lock"):
        if _is_current(root):
            return root
        with tempfile.TemporaryDirectory(prefix=f".{root.name}.build-", dir=root.parent) as tmp:
            tree = Path(tmp) / "root"
            tree.mkdir(mode=0o755)
            write_json(tree / MARKER, _build(tree, log))
            if root.exists():  # an older user space: swapped out, then deleted with tmp
                os.rename(root, Path(tmp) / "old")
            os.rename(tree, root)
    return root


# -- the device ------------------------------------------------------------------------------


class EmulatedDevice(Device):
    """The arm64 user space at ``root`` as an ARM Linux board named ``qemu-arm64``, or
    ``qemu-arm64-<class>`` when it stands for a phone CPU class (``edgeocr.device.cpu_classes``:
    its programs read that class's ``/proc/cpuinfo``).

    ``shared`` host folders appear inside the device at their own paths (bound per command),
    for programs that should read or write this host's files in place.
    """

    transport = "qemu"
    latency_note = LATENCY_NOTE
    emulated = True

    def __init__(self, root: str | os.PathLike | None = None, workdir: str | None = None,
                 shared: Sequence[str | os.PathLike] = (), cpu: str | None = None) -> None:
        self.cpu = cpu_class(cpu) if cpu else None
        serial = f"{SERIAL}-{self.cpu.name}" if self.cpu else SERIAL
        super().__init__(serial, serial, workdir or DEFAULT_WORKDIR)
        self.root = Path(root or emulated_root()).absolute()
        self.shared = tuple(os.path.abspath(p) for p in shared)

    @functools.cached_property
    def _cpu_views(self) -> str:
        """A folder on this host holding the class's ``CPU_VIEWS`` at their paths ('' without a
        class), written once per content (and looked up once per device object: every command
        binds it)."""
        if self.cpu is None:
            return ""
        files = {"proc/cpuinfo": self.cpu.cpuinfo,
                 **{f"sys/devices/system/cpu/{k}": v for k, v in self.cpu.sysfs_cpu().items()}}
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
        folder = home() / "emulated" / "cpu-views" / f"{self.cpu.name}-{digest}"
        if not folder.is_dir():
            with atomic_dir(folder, replace=True) as tmp:
                for rel, text in files.items():
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    (tmp / rel).write_text(text)
        return str(folder)

    def require_ready(self) -> None:
        """Raise a typed error that says what to run unless commands can start: root, a
        built user space, binfmt_misc with qemu-aarch64."""
        _require_root(f"{self.name} (the emulated arm64 device)")
        if not is_set_up(self.root):
            raise DeviceNotFound(f"{self.name}: no emulated arm64 user space in {self.root}: run '{SETUP_COMMAND}' as "
                                 f"root (needs the Debian archive), or set {ROOT_ENV} to one")
        problem = binfmt_problem()
        if problem is not None:
            raise DeviceOffline(f"{self.name}: {problem}; '{SETUP_COMMAND}' (as root) does it")

    def _shell_argv(self, script: str) -> list[str]:
        self.require_ready()
        return [_host_tool("unshare"), "--mount", "--propagation", "private", "--", "/bin/sh", "-c", _ENTER,
                "edgeocr-emulated", str(self.root), _host_tool("chroot"), script, self._cpu_views, *self.shared]

    def _link_error(self, output: str) -> DeviceError:
        return DeviceError(f"{self.name}: the emulated device's shell did not start or died without an exit status"
                           + (f": {output}" if output else ""))

    def _identity(self, out: Mapping[str, str]) -> tuple[str, str, str]:
        _, abi, os_name = super()._identity(out)  # the probed model would be this host's
        return (f"{MODEL}, CPU class {self.cpu.name}: {self.cpu.description}" if self.cpu else MODEL), abi, os_name

    # Files travel exactly as over ssh: cat and tar streams through the device's own shell, so
    # paths resolve as the device resolves them (its symlinks, the shared folders) and a full
    # disk reports as it does for the device's programs.
    _push_file = SshDevice._push_file
    _push_dir = SshDevice._push_dir
    _pull_file = SshDevice._pull_file
    _pull_dir = SshDevice._pull_dir

    # -- running under another qemu ------------------------------------------------------

    def host_paths(self, paths: Sequence[str]) -> list[str]:
        """Where device ``paths`` are on this host.

        Each is first resolved inside the device (``readlink -m``: its symlinks followed as the
        device follows them, ``..`` stopping at its ``/``, missing parts allowed), then is the
        same path under the folders the device shares with this host (``/dev``, ``/proc``,
        ``/sys``, ``shared``) and ``<root><path>`` everywhere else.
        """
        if not paths:
            return []
        out = self._run(shlex.join(["readlink", "-zm", "--", *paths]), timeout=60, check=True).stdout
        shared = (*BOUND, *self.shared)
        return [p if any(p == s or p.startswith(s.rstrip("/") + "/") for s in shared) else f"{self.root}{p}"
                for p in out.split("\0")[:-1]]

    def shell_under(self, prefix_argv: Sequence[str], argv: Sequence[str], env: Mapping[str, str] | None = None,
                    timeout: float | None = None) -> ShellResult:
        """Run device program ``argv`` from this host under another qemu-user, e.g. one that loads
        a TCG plugin: ``[*prefix_argv, "-L", <root>, program, *args]``.

        ``prefix_argv`` is the qemu and its options but ``-L``, all host paths (``["qemu-aarch64",
        "-plugin", "/host/libinsn.so,inline=on", "-d", "plugin", "-D", "/host/insn.log"]``).
        ``argv`` is what ``shell`` would run, with device paths, translated by ``host_paths``:
        the program (an absolute device path), every argument that starts with ``/`` (pass a
        path as its own argument: ``--out=/x`` is left as is), and every absolute entry of
        ``LD_LIBRARY_PATH``; everything else passes unchanged. The program starts in ``<root>``
        (the device's ``/``) with ``DEVICE_ENV`` plus ``env``, never this host's environment.
        ``-L`` makes qemu find the ELF interpreter and the system libraries under ``<root>``, and
        any file the program opens by a device path of its own, if it exists there (qemu falls
        back to this host's path otherwise: pass output paths as arguments). Programs it starts
        in turn are not covered (they would run by binfmt, outside the user space, without the
        plugin). Exit code, stdout and stderr come back as from ``shell``.
        """
        program, *args = argv
        if not posixpath.isabs(program):
            raise InputError(f"{self.name}: shell_under needs the program as an absolute device path, not {program!r}")
        qemu = shutil.which(prefix_argv[0])
        if qemu is None:
            raise DeviceError(f"{prefix_argv[0]}: program not found on this host")
        env = dict(env or {})
        libs = env["LD_LIBRARY_PATH"].split(":") if "LD_LIBRARY_PATH" in env else []
        device_paths = list(dict.fromkeys(p for p in [program, *args, *libs] if p.startswith("/")))
        host = dict(zip(device_paths, self.host_paths(device_paths)))
        if libs:
            env["LD_LIBRARY_PATH"] = ":".join(host.get(p, p) for p in libs)
        command = [qemu, *prefix_argv[1:], "-L", str(self.root), *(host.get(a, a) for a in [program, *args])]
        script = to_script(command, {**DEVICE_ENV, **env}, cwd=str(self.root))
        argv = ["env", "-i", "/bin/sh", "-c", script]
        if self.cpu is not None:  # qemu's -L finds none of CPU_VIEWS under <root>, so opens this host's: bind over them
            argv = [_host_tool("unshare"), "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    f'views=$1 root=; {{ {_BIND_VIEWS}; }} || exit 125; shift; exec "$@"', "edgeocr-emulated",
                    self._cpu_views, *argv]
        proc = run_process(argv, what=f"{self.name}: {shlex.join(command)}", timeout=timeout)
        return ShellResult(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                           proc.stderr.decode("utf-8", "replace"), proc.duration_s)
