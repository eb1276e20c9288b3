"""The phone CPU classes the emulated board can stand for: /proc/cpuinfo as such a phone's kernel
writes it, in the fields the ARM runtime reads to pick its kernels."""

from __future__ import annotations

import re

import pytest

from edgeocr.device.cpu_classes import CPU_CLASSES, cpu_class
from edgeocr.errors import InputError


def test_snapdragon_855_is_named_by_its_soc_and_has_dot_product() -> None:
    sm8150 = cpu_class("sm8150")
    info = sm8150.cpuinfo
    assert sm8150.dot_product and info.rstrip().splitlines()[-1] == "Hardware\t: Qualcomm Technologies, Inc SM8150"
    assert re.findall(r"CPU part\t: (0x\w+)", info) == ["0x805"] * 4 + ["0x804"] * 4  # 4 Silver (A55) + 4 Gold (A76)
    assert all("asimddp" in line for line in info.splitlines() if line.startswith("Features"))
    assert [int(n) for n in re.findall(r"^processor\t: (\d+)$", info, re.M)] == list(range(8))
    sysfs = sm8150.sysfs_cpu()  # Paddle-Lite's SoC table names eight cores: the board shows eight
    assert sysfs["online"] == sysfs["possible"] == "0-7\n" and all(f"cpu{i}/uevent" in sysfs for i in range(8))
    assert [sysfs[f"cpu{i}/cpufreq/cpuinfo_max_freq"] for i in (0, 4, 7)] == ["1785600\n", "2419200\n", "2841600\n"]


def test_a53_has_no_soc_name_and_no_dot_product() -> None:
    a53 = cpu_class("a53")
    assert not a53.dot_product and "Hardware" not in a53.cpuinfo and "asimddp" not in a53.cpuinfo
    assert set(re.findall(r"CPU part\t: (0x\w+)", a53.cpuinfo)) == {"0xd03"}


def test_an_unknown_class_names_the_classes() -> None:
    with pytest.raises(InputError, match=r"no emulated CPU class 'sm9999'; choose one of: a53 \(.*\); sm8150 \("):
        cpu_class("sm9999")
    assert set(CPU_CLASSES) == {"a53", "sm8150"}
