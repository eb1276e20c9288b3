"""This host as a device, so ``bench`` can measure ``local`` through the same interface as a
phone or a board (and tests can run the device contract without any hardware)."""

from __future__ import annotations

import shutil
from pathlib import Path

from edgeocr.device.base import Device
from edgeocr.device.errors import DeviceError, transfer_error
from edgeocr.paths import home

LOCAL = "local"


class LocalDevice(Device):
    """Commands run through ``/bin/sh -c``; files are copied with ``shutil``."""

    transport = "local"

    def __init__(self, workdir: str | None = None) -> None:
        super().__init__(LOCAL, LOCAL, workdir or str(home() / "local-device"))

    def _shell_argv(self, script: str) -> list[str]:
        return ["/bin/sh", "-c", script]

    def _link_error(self, output: str) -> DeviceError:
        return DeviceError("local shell died without an exit status" + (f": {output}" if output else ""))

    def _copy(self, src: Path, dst: Path) -> None:
        target = dst / src.name if dst.is_dir() and not src.is_dir() else dst  # into a folder, like cp
        try:
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
        except shutil.Error as e:  # copytree: a list of (src, dst, reason), one per failed file
            raise transfer_error(LOCAL, f"copy {src} -> {target}", "\n".join(str(why) for *_, why in e.args[0])) from None
        except OSError as e:
            if not src.is_dir():
                target.unlink(missing_ok=True)  # no half files
            raise transfer_error(LOCAL, f"copy {src} -> {target}", str(e)) from None

    def _push_file(self, src: Path, remote: str, timeout: float | None) -> None:
        self._copy(src, Path(remote))

    _push_dir = _push_file

    def _pull_file(self, remote: str, dst: Path, timeout: float | None) -> None:
        self._copy(Path(remote), dst)

    _pull_dir = _pull_file
