"""Shared fixtures: a model home with the real PP-OCRv2 set pulled once per test session,
and renderers of real text images (random noise would hide mapping errors: the models
output near-zero for it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from edgeocr import paths
from edgeocr.device.emulated import ArchiveUnreachable, EmulatedDevice, emulated_root, setup_emulated

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``EDGEOCR_HOME`` for the whole session (set in the environment for CLI subprocesses)."""
    home = tmp_path_factory.mktemp("edgeocr_home")
    old = os.environ.get("EDGEOCR_HOME")
    for fetched in ("runtimes", "downloads"):  # runtime libraries and model wheels set-up fetched (no test
        if (paths.home() / fetched).is_dir():  # reaches a registry)
            (home / fetched).symlink_to((paths.home() / fetched).resolve(), target_is_directory=True)
    os.environ["EDGEOCR_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("EDGEOCR_HOME", None)
    else:
        os.environ["EDGEOCR_HOME"] = old


@pytest.fixture(scope="session")
def family_set(model_home: Path):
    """A newer family's set (``ppocrv3``/``ppocrv4``/``ppocrv5``), pulled into the session's home
    from the wheel set-up downloaded (``edgeocr models download``); skipped without it."""
    from edgeocr.models import zoo, wheels
    from edgeocr.models.modelset import ModelSet

    sets: dict[str, ModelSet] = {}  # pulled (and its files hashed) once per session, not per test

    def pulled(name: str) -> ModelSet:
        if name not in sets:
            if not wheels.is_downloaded(zoo.entry(name).wheel):
                pytest.skip(f"{zoo.entry(name).wheel.filename} not downloaded (run `edgeocr models download`, "
                            "as set-up does)")
            zoo.pull(name)
            sets[name] = ModelSet.load(name)
        return sets[name]

    return pulled


RUN_ISOLATED = "unshare --net sh -c 'ip link set lo up && .venv/bin/pytest -q tests'"


@pytest.fixture(scope="session")
def loopback_only() -> None:
    """Fail unless this process's network namespace has nothing but an up ``lo``.

    ``socket.if_nameindex()`` asks the kernel about *this* namespace; ``/sys/class/net``
    would not do: after a bare ``unshare --net`` it still shows the host's interfaces.
    """
    names = sorted(name for _, name in socket.if_nameindex())
    if names != ["lo"]:
        pytest.fail(
            "these tests start an adb server, fake phones, sshd or training ranks, which must not reach any "
            "network; "
            f"this namespace has interfaces {names}. Run them in a private one:\n    {RUN_ISOLATED}",
            pytrace=False,
        )
    try:
        socket.create_server(("127.0.0.1", 0)).close()
    except OSError as e:
        pytest.fail(f"loopback is not usable ({e}); bring it up: {RUN_ISOLATED}", pytrace=False)


@pytest.fixture(scope="session")
def pulled_models(model_home: Path):
    """The real PP-OCRv2 model set, pulled into the session's model home."""
    from edgeocr.models import zoo
    from edgeocr.models.modelset import ModelSet

    zoo.pull("ppocrv2")
    return ModelSet.load("ppocrv2")


def render_line(text: str, height: int = 48, fg=(20, 20, 60), bg=(235, 230, 220)) -> np.ndarray:
    """A tightly cropped BGR image of one text line."""
    font = ImageFont.truetype(CJK_FONT, int(height * 0.75))
    left, top, right, bottom = font.getbbox(text)
    im = Image.new("RGB", (right - left + 16, height), bg)
    ImageDraw.Draw(im).text((8 - left, (height - (bottom - top)) // 2 - top), text, font=font, fill=fg)
    return np.ascontiguousarray(np.asarray(im)[:, :, ::-1])


def render_page(lines: list[tuple[str, tuple[int, int], int]], size=(640, 480), bg=(220, 225, 235)) -> np.ndarray:
    """A BGR page with ``(text, (x, y), font_px)`` lines drawn on a flat background."""
    im = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(im)
    for text, xy, px in lines:
        draw.text(xy, text, font=ImageFont.truetype(CJK_FONT, px), fill=(15, 15, 15))
    return np.ascontiguousarray(np.asarray(im)[:, :, ::-1])


@pytest.fixture(scope="session")
def x86_bundle(pulled_models, tmp_path_factory):
    """The real PP-OCRv2 set converted for this host's Paddle-Lite runtime."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    return convert_bundle(pulled_models, load_target("x86_64"), tmp_path_factory.mktemp("b") / "x86").path


@pytest.fixture(scope="session")
def arm_bundle(pulled_models, tmp_path_factory):
    """The real PP-OCRv2 set converted for Android arm64 (cannot run here; for checks only)."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    return convert_bundle(pulled_models, load_target("arm64-v8a"), tmp_path_factory.mktemp("b") / "arm").path


@pytest.fixture(scope="session")
def armlinux_bundle(pulled_models, tmp_path_factory):
    """The real PP-OCRv2 set converted for ARM Linux boards (armlinux-aarch64)."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    return convert_bundle(pulled_models, load_target("armlinux-aarch64"), tmp_path_factory.mktemp("b") / "armlinux").path


@pytest.fixture(scope="session")
def ort_armlinux_bundle(pulled_models, tmp_path_factory):
    """The real PP-OCRv2 set as an ONNX Runtime bundle for ARM Linux boards (.onnx runs on any CPU)."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    return convert_bundle(pulled_models, load_target("armlinux-aarch64", runtime="onnxruntime"),
                          tmp_path_factory.mktemp("b") / "ort-armlinux").path


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, to fill a disk for real; skipped where mounting is not allowed."""
    mnt = tmp_path / "tiny fs"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# -- the emulated arm64 board -------------------------------------------------------------------

# Read at import, before ``model_home`` points EDGEOCR_HOME at a session folder: the user space
# belongs to the real edgeocr home (or $EDGEOCR_EMULATED_ROOT), where it is built once and kept.
EMULATED_ROOT = emulated_root()


@pytest.fixture(scope="session")
def emulated_root_dir() -> Path:
    """The emulated board's user space, set up (binfmt_misc, and the build when it is missing).
    Building needs the Debian archive, which these tests' network namespace cannot reach: CI
    builds it beforehand (``edgeocr devices emulated-setup`` in .ci/setup)."""
    if os.geteuid() != 0:
        pytest.skip("the emulated arm64 board needs root (chroot and private mount namespaces)")
    try:
        return setup_emulated(EMULATED_ROOT)
    except ArchiveUnreachable as e:
        pytest.skip(f"no emulated arm64 user space in {EMULATED_ROOT} and it cannot be built here ({e}); "
                    "run 'edgeocr devices emulated-setup' with network access first")


@pytest.fixture
def emulated(emulated_root_dir: Path, tmp_path: Path) -> Iterator[EmulatedDevice]:
    """The emulated board with a work folder of its own inside the user space, removed afterwards
    (the user space is shared by every test and kept between sessions)."""
    workdir = f"/opt/edgeocr-test-{tmp_path.name}"
    yield EmulatedDevice(emulated_root_dir, workdir=workdir)
    shutil.rmtree(f"{emulated_root_dir}{workdir}", ignore_errors=True)
