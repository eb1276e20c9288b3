"""Finding devices: everything visible (``edgeocr devices``) and the one a command targets
(``--serial`` / ``--ssh`` / ``--local`` / ``--emulated``, or the single attached phone)."""

from __future__ import annotations

import os

from edgeocr.device.adb import AdbDevice, find_adb, list_adb_devices
from edgeocr.device.base import Device
from edgeocr.device.boards import load_boards
from edgeocr.device.emulated import EmulatedDevice, is_set_up
from edgeocr.device.errors import AmbiguousDevice, DeviceNotFound
from edgeocr.device.local import LocalDevice
from edgeocr.device.ssh import SshDevice
from edgeocr.errors import InputError


def list_devices(include_local: bool = True) -> list[Device]:
    """adb devices in any state (when adb is installed), boards of the devices file, the
    emulated arm64 device once its user space is set up, and this host. Nothing is contacted
    but the adb server; ask each device for ``state()``."""
    boards = [SshDevice.from_board(board) for board in load_boards()]  # a broken file fails first
    devices: list[Device] = []
    if find_adb() is not None:
        devices += [AdbDevice(listing.serial) for listing in list_adb_devices()]
    devices += boards
    if is_set_up():
        devices.append(EmulatedDevice())
    if include_local:
        devices.append(LocalDevice())
    return devices


def get_device(serial: str | None = None, ssh: str | None = None, local: bool = False,
               emulated: bool = False, cpu: str | None = None) -> Device:
    """The device a command should use.

    ``serial`` (or ``$ANDROID_SERIAL``) picks an adb device, ``ssh`` a board by name or
    ``user@host[:port]``, ``local`` this host, ``emulated`` the emulated arm64 board
    (``edgeocr.device.emulated``), standing for the phone CPU class ``cpu`` if given. With no
    selector the single attached adb device is used; none or several is an error that says
    what to do.
    """
    if sum(map(bool, (serial, ssh, local, emulated))) > 1:
        raise InputError("choose one device: an adb serial, an ssh board, local, or emulated")
    if local:
        return LocalDevice()
    if emulated:
        return EmulatedDevice(cpu=cpu)
    if ssh:
        return SshDevice.from_spec(ssh)
    serial = serial or os.environ.get("ANDROID_SERIAL") or None
    listings = list_adb_devices()
    attached = ", ".join(f"{l.serial} ({l.state})" for l in listings) or "none"
    if serial is not None:
        matches = [l for l in listings if l.serial == serial]
        if not matches:
            raise DeviceNotFound(f"no adb device {serial!r} (attached: {attached})")
    elif not listings:
        raise DeviceNotFound(
            "no adb device attached: plug in a phone with USB debugging on (or 'adb connect HOST:PORT'), "
            "or choose a board (--ssh NAME), the emulated arm64 board (--emulated) or this host (--local)"
        )
    elif len(listings) > 1:
        raise AmbiguousDevice(f"several adb devices attached ({attached}): choose one with --serial")
    else:
        matches = listings
    matches[0].require_ready()
    return AdbDevice(matches[0].serial)
