"""What a device is: ``DeviceInfo`` and the parsers that read it from sysfs, ``getprop``,
``uname`` and ``/etc/os-release`` output."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

# Boards report ``uname -m``; phones an Android ABI. Deploy picks the Paddle-Lite build by
# ABI for both, so boards are reported in Android's names too.
MACHINE_TO_ABI = {
    "aarch64": "arm64-v8a",
    "arm64": "arm64-v8a",
    "armv8l": "armeabi-v7a",  # 32-bit user space on a 64-bit core
    "armv7l": "armeabi-v7a",
    "x86_64": "x86_64",
    "i686": "x86",
}


@dataclass
class DeviceInfo:
    """Identity and CPU of a device, as bench reports record it."""

    serial: str
    name: str
    transport: str
    model: str
    abi: str
    os: str
    cpu_cores: int
    cpu_max_freq_khz: list[int] = field(default_factory=list)  # per core that reports one, cpu0 first

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (what ``edgeocr devices --json`` and bench reports store)."""
        return asdict(self)


def count_cpus(spec: str) -> int:
    """Cores in a sysfs CPU list such as ``0-7`` or ``0-3,6``."""
    total = 0
    for part in spec.strip().split(","):
        if part:
            first, _, last = part.partition("-")
            total += int(last or first) - int(first) + 1
    return total


def parse_max_freqs(text: str) -> list[int]:
    """Per-core max frequencies from ``<path of cpuN/cpufreq/cpuinfo_max_freq> <kHz>`` lines,
    ordered by core number (a shell glob sorts cpu10 before cpu2)."""
    freqs = []
    for line in text.splitlines():
        match = re.search(r"/cpu(\d+)/cpufreq/cpuinfo_max_freq\s+(\d+)\s*$", line)
        if match:
            freqs.append((int(match.group(1)), int(match.group(2))))
    return [khz for _, khz in sorted(freqs)]


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` pairs of ``/etc/os-release`` (quotes removed)."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            out[key.strip()] = value.strip().strip("\"'")
    return out
