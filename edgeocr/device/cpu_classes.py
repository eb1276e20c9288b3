"""The phone CPUs the emulated board can stand for, as an ARM runtime sees them.

Paddle-Lite picks its ARM kernels from the CPU it detects (``lite/core/device_info.cc``): the
SoC named on the ``Hardware`` line of ``/proc/cpuinfo`` (its table: cores, caches, whether they
have the dot-product instructions), else the ``CPU part`` of each core. Under qemu-user a
program reads this host's ``/proc/cpuinfo`` (an x86 model name): no SoC, no known core, no
dot-product kernels — the int8 path of an A53/A73-class phone. An emulated board with a CPU
class instead shows the program that class's ``/proc/cpuinfo`` (bound over it in the command's
private mount namespace), while qemu's default CPU model executes every instruction of ARMv8.4
(dot product included). Its ``/sys/devices/system/cpu`` shows the class's cores too (a runtime
sizes its per-core tables by them; binding a thread to a core this host lacks fails, and the
runtime runs unbound). Instruction counts then stand for that class; compare variants within one
class, never across.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgeocr.errors import InputError


@dataclass(frozen=True)
class Core:
    """One core as the kernel reports it: ``/proc/cpuinfo`` ids and cpufreq's maximum."""

    implementer: str
    variant: str
    part: str
    max_khz: int


# Snapdragon 855's Kryo 485 Gold (A76) and Silver (A55) cores are Qualcomm's (implementer 0x51);
# a Cortex-A53 is ARM's own (0x41)
_SILVER = Core("0x51", "0x7", "0x805", 1785600)
_GOLD = Core("0x51", "0xd", "0x804", 2419200)
_PRIME = Core("0x51", "0xd", "0x804", 2841600)
_A53 = Core("0x41", "0x0", "0xd03", 2016000)
_FEATURES = {
    False: "fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid",
    True: "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp",
}


@dataclass(frozen=True)
class CpuClass:
    name: str
    description: str
    dot_product: bool
    cores: tuple[Core, ...]
    hardware: str | None  # the SoC name on the Hardware line (None: the kernel writes none)

    @property
    def cpuinfo(self) -> str:
        """``/proc/cpuinfo`` as an arm64 Linux kernel writes it."""
        blocks = [f"processor\t: {i}\nBogoMIPS\t: 38.40\nFeatures\t: {_FEATURES[self.dot_product]}\n"
                  f"CPU implementer\t: {c.implementer}\nCPU architecture: 8\nCPU variant\t: {c.variant}\n"
                  f"CPU part\t: {c.part}\nCPU revision\t: 0\n" for i, c in enumerate(self.cores)]
        return "\n".join(blocks) + (f"\nHardware\t: {self.hardware}\n" if self.hardware else "")

    def sysfs_cpu(self) -> dict[str, str]:
        """``/sys/devices/system/cpu`` for these cores, as relative path -> content: a runtime
        sizes its per-core tables by the ``cpuN`` folders it finds there, and a SoC's table
        (Paddle-Lite's names eight cores) must meet as many."""
        span = f"0-{len(self.cores) - 1}\n"
        files = {"online": span, "possible": span, "present": span}
        for i, core in enumerate(self.cores):
            files |= {f"cpu{i}/uevent": "DRIVER=processor\nMODALIAS=cpu:type:aarch64\n", f"cpu{i}/online": "1\n",
                      f"cpu{i}/cpufreq/cpuinfo_max_freq": f"{core.max_khz}\n",
                      f"cpu{i}/cpufreq/cpuinfo_min_freq": "300000\n"}
        return files


CPU_CLASSES = {c.name: c for c in (
    CpuClass("a53", "Cortex-A53 cores, no dot product (Snapdragon 625/450-class phones, Raspberry Pi 3)", False,
             (_A53,) * 8, None),
    CpuClass("sm8150", "Snapdragon 855 (Cortex-A76 + A55, dot product)", True,
             (_SILVER,) * 4 + (_GOLD,) * 3 + (_PRIME,), "Qualcomm Technologies, Inc SM8150"),
)}


def cpu_class(name: str) -> CpuClass:
    """The class called ``name``; an unknown one is an error that lists the classes."""
    try:
        return CPU_CLASSES[name]
    except KeyError:
        raise InputError(f"no emulated CPU class {name!r}; choose one of: "
                         + "; ".join(f"{c.name} ({c.description})" for c in CPU_CLASSES.values())) from None
