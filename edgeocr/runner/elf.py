"""Just enough ELF reading to tell what a program or shared library was built for: its CPU
(machine, 32/64-bit), its program interpreter (``PT_INTERP``: Android's
``/system/bin/linker64`` or glibc's ``/lib/ld-linux-aarch64.so.1``) and the libraries it needs
(``DT_NEEDED``), which tell Android builds (NDK ``libc++_shared.so``) from glibc ones
(``libstdc++.so.6``). No tool from a toolchain is needed, so ``build-runner`` can refuse a
wrong library before compiling anything, and ``deploy`` a runner for another OS before
pushing it.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

#: e_machine -> the arch names of target profiles (targets/*.yml)
MACHINES = {3: "x86", 40: "armv7", 62: "x86_64", 183: "aarch64"}
#: arch -> the ABI name devices report (Android's names; boards' ``uname -m`` is translated to them)
ABIS = {"x86": "x86", "armv7": "armeabi-v7a", "x86_64": "x86_64", "aarch64": "arm64-v8a"}
_SHT_DYNAMIC, _DT_NEEDED, _PT_INTERP = 6, 1, 3


class ElfError(ValueError):
    """Not an ELF file, or one too damaged to read."""


@dataclass(frozen=True)
class ElfInfo:
    arch: str           # aarch64 | armv7 | x86_64 | x86 | machine-<n>
    bits: int           # 32 or 64
    needed: tuple[str, ...]
    interpreter: str | None = None  # programs only; None for libraries and static programs

    @property
    def abi(self) -> str:
        return ABIS.get(self.arch, self.arch)

    @property
    def flavour(self) -> str:
        """``android`` (Android's dynamic linker, or links the NDK's C++ runtime or Android's
        liblog), ``linux`` (glibc's dynamic linker or libstdc++) or ``unknown``."""
        if self.interpreter:
            if self.interpreter.startswith("/system/bin/linker"):
                return "android"
            if "/ld-linux" in self.interpreter:
                return "linux"
        if any(n in ("libc++_shared.so", "liblog.so", "libandroid.so") for n in self.needed):
            return "android"
        if any(n.startswith(("libstdc++.so", "libc.so.6")) for n in self.needed):
            return "linux"
        return "unknown"


def read_elf(path: str | os.PathLike) -> ElfInfo:
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        raise ElfError(f"{path}: not an ELF file")
    bits = {1: 32, 2: 64}.get(data[4])
    endian = {1: "<", 2: ">"}.get(data[5])
    if bits is None or endian is None:
        raise ElfError(f"{path}: unknown ELF class or byte order")
    try:
        machine = struct.unpack_from(endian + "H", data, 18)[0]
        if bits == 64:
            phoff, shoff = struct.unpack_from(endian + "QQ", data, 32)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(endian + "HHHH", data, 54)
        else:
            phoff, shoff = struct.unpack_from(endian + "II", data, 28)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(endian + "HHHH", data, 42)
        interpreter = _interpreter(data, endian, bits, [phoff + i * phentsize for i in range(phnum)])
        sections = [_section(data, endian, bits, shoff + i * shentsize) for i in range(shnum)]
        needed = []
        for kind, offset, size, link, entsize in sections:
            if kind != _SHT_DYNAMIC or not entsize:
                continue
            strtab_offset = sections[link][1]
            fmt = endian + ("qQ" if bits == 64 else "iI")
            for pos in range(offset, offset + size, entsize):
                tag, value = struct.unpack_from(fmt, data, pos)
                if tag == _DT_NEEDED:
                    end = data.index(b"\0", strtab_offset + value)
                    needed.append(data[strtab_offset + value:end].decode("utf-8", "replace"))
    except (struct.error, IndexError, ValueError) as e:
        raise ElfError(f"{path}: damaged ELF file ({e})") from None
    return ElfInfo(arch=MACHINES.get(machine, f"machine-{machine}"), bits=bits, needed=tuple(needed),
                   interpreter=interpreter)


def _interpreter(data: bytes, endian: str, bits: int, headers: list[int]) -> str | None:
    """The path in the ``PT_INTERP`` program header, if there is one."""
    for at in headers:
        if bits == 64:
            kind, _, offset, _, _, size = struct.unpack_from(endian + "IIQQQQ", data, at)
        else:
            kind, offset, _, _, size = struct.unpack_from(endian + "IIIII", data, at)
        if kind == _PT_INTERP:
            return data[offset:offset + size].rstrip(b"\0").decode("utf-8", "replace")
    return None


def _section(data: bytes, endian: str, bits: int, at: int) -> tuple[int, int, int, int, int]:
    """(type, offset, size, link, entsize) of the section header at ``at``."""
    if bits == 64:
        _, kind, _, _, offset, size, link, _, _, entsize = struct.unpack_from(endian + "IIQQQQIIQQ", data, at)
    else:
        _, kind, _, _, offset, size, link, _, _, entsize = struct.unpack_from(endian + "IIIIIIIIII", data, at)
    return kind, offset, size, link, entsize
