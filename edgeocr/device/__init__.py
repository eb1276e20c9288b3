"""Devices: Android phones (adb), ARM Linux boards (ssh), an emulated arm64 board (qemu) and
this host behind one interface.

    from edgeocr.device import get_device
    dev = get_device()                       # the one attached phone
    dev.shell(["ls", "-l", dev.workdir]).stdout
    dev.push("models/", f"{dev.workdir}/models")
    dev.info().abi                           # 'arm64-v8a'
"""

from edgeocr.device.adb import AdbDevice, AdbListing, connect, disconnect, list_adb_devices
from edgeocr.device.base import Device
from edgeocr.device.boards import BoardConfig, load_boards
from edgeocr.device.emulated import EmulatedDevice, setup_emulated
from edgeocr.device.errors import (
    AmbiguousDevice,
    CommandFailed,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceTimeout,
    DeviceUnauthorized,
    NoSpaceLeft,
)
from edgeocr.device.info import DeviceInfo
from edgeocr.device.local import LocalDevice
from edgeocr.device.registry import get_device, list_devices
from edgeocr.device.shell import ShellResult
from edgeocr.device.ssh import SshDevice

__all__ = [
    "AdbDevice",
    "AdbListing",
    "AmbiguousDevice",
    "BoardConfig",
    "CommandFailed",
    "Device",
    "DeviceError",
    "DeviceInfo",
    "DeviceNotFound",
    "DeviceOffline",
    "DeviceTimeout",
    "DeviceUnauthorized",
    "EmulatedDevice",
    "LocalDevice",
    "NoSpaceLeft",
    "ShellResult",
    "SshDevice",
    "connect",
    "disconnect",
    "get_device",
    "list_adb_devices",
    "list_devices",
    "load_boards",
    "setup_emulated",
]
