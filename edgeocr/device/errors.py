"""Typed device errors, so callers (deploy, bench, the CLI) can react to *why* a device
failed — re-plug, accept the USB-debugging prompt, free space — instead of parsing text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edgeocr.errors import EdgeOCRError

if TYPE_CHECKING:
    from edgeocr.device.shell import ShellResult


class DeviceError(EdgeOCRError):
    """Base of every device failure; the message names the device and what went wrong."""


class DeviceNotFound(DeviceError):
    """No such device: not attached, not configured, or the host name does not resolve."""


class AmbiguousDevice(DeviceError):
    """Several devices match and none was chosen."""


class DeviceOffline(DeviceError):
    """The device is known but unreachable: offline, unplugged mid-command, connection refused."""


class DeviceUnauthorized(DeviceError):
    """The device refused us: USB debugging not accepted, ssh key or host key rejected."""


class DeviceTimeout(DeviceError):
    """A command or transfer did not finish within its time limit."""


class NoSpaceLeft(DeviceError):
    """The device's storage is full (or would be) for what we tried to put there."""


class CommandFailed(DeviceError):
    """A shell command ran and exited non-zero; ``result`` holds its output."""

    def __init__(self, device: str, command: str, result: ShellResult) -> None:
        self.device, self.command, self.result = device, command, result
        detail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        super().__init__(
            f"{device}: command exited with {result.exit_code}: {command}"
            + (f"\n  {chr(10).join(detail)}" if detail else "")
        )


def transfer_error(device: str, what: str, output: str) -> DeviceError:
    """The error for a failed push or pull: ``NoSpaceLeft`` when the output says the disk is full."""
    cls = NoSpaceLeft if "No space left on device" in output else DeviceError
    return cls(f"{device}: {what} failed: {output.strip()}")
