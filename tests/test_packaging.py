"""``pip install .`` (not editable) gives a package that works away from the repository: it
carries ``targets/`` and ``quant/`` (see setup.py, ``edgeocr.resources``) and its CLI lists the
profiles and converts a real model set from a folder outside the checkout.

Marked ``packaging`` and slow (10-30 s): it copies the checkout's files, makes a fresh venv
and installs into it. It runs offline (the tests run under ``unshare --net``): the build uses
the setuptools that ensurepip puts in the fresh venv, and the installed package imports its
heavy dependencies (paddle, paddlelite, numpy, ...) from this test's venv through a ``.pth``
path line - such a folder is only appended to ``sys.path``, its own ``.pth`` files (among them
the repository's editable install) are not processed, so ``edgeocr`` cannot come from the
checkout - and finds their console scripts (``paddle_lite_opt``) at the end of ``PATH``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300
#: variables that would point the installed package back at the checkout
REPO_OVERRIDES = ("EDGEOCR_TARGETS", "EDGEOCR_RECIPES", "EDGEOCR_CLIPPER_DIR", "PYTHONPATH")


@dataclass(frozen=True)
class Installed:
    venv: Path
    site_packages: Path
    workdir: Path  # an empty folder outside the repository, the CLI's working directory

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in REPO_OVERRIDES}
        dependency_scripts = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), env.get("PATH", os.defpath), dependency_scripts])
        proc = subprocess.run(args, cwd=self.workdir, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        assert proc.returncode == 0, f"{' '.join(args)} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        return proc


def checkout_files() -> list[str]:
    """The repository's files as a fresh clone would have them, plus uncommitted and new ones
    (tracked or not ignored): no build/, *.egg-info or out/ that could hide a packaging gap."""
    try:
        listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], capture_output=True, check=True, timeout=60).stdout.decode()
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"needs a git checkout of the repository: {e}")
    return [f for f in listed.split("\0") if f and (REPO / f).is_file()]


def base_python() -> Path:
    """The interpreter this test's venv was made from (``sys.executable`` is the venv's own)."""
    return Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The checkout's files installed with ``pip install --no-index .`` into a fresh venv."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"
    for name in checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    venv = root / "venv"
    subprocess.run([str(base_python()), "-m", "venv", str(venv)], check=True, timeout=TIMEOUT_S)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "--no-cache-dir", "--disable-pip-version-check", str(source)],
                   cwd=root, check=True, timeout=TIMEOUT_S)
    site_packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    deps = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site_packages / "_edgeocr_test_dependencies.pth").write_text("".join(f"{d}\n" for d in deps))
    workdir = root / "work"
    workdir.mkdir()
    return Installed(venv=venv, site_packages=site_packages, workdir=workdir)


def test_installed_package_carries_the_data_folders(installed: Installed) -> None:
    data = installed.site_packages / "edgeocr" / "_data"
    assert (data / "targets" / "native" / "CMakeLists.txt").is_file()
    for tree in ("targets", "quant"):
        packaged = {p.relative_to(data).as_posix() for p in (data / tree).rglob("*") if p.is_file()}
        assert packaged == {f for f in checkout_files() if f.startswith(f"{tree}/")}
    probe = ("import json, edgeocr\n"
             "from edgeocr.compress.recipe import load_recipe\n"
             "from edgeocr.runner.native_build import native_dir\n"
             "from edgeocr.targets import targets_dir\n"
             "print(json.dumps([edgeocr.__file__, str(targets_dir()), str(native_dir()),\n"
             "                  load_recipe(model='det', method='pact').source]))")
    paths = json.loads(installed.run(str(installed.venv / "bin" / "python"), "-c", probe).stdout)
    assert paths == [str(installed.site_packages / "edgeocr" / "__init__.py"), str(data / "targets"),
                     str(data / "targets" / "native"), str(data / "quant" / "det_pact.yml")]


def test_installed_cli_lists_targets_and_converts(installed: Installed, pulled_models) -> None:
    edgeocr = str(installed.venv / "bin" / "edgeocr")
    listing = installed.run(edgeocr, "targets").stdout
    for name in ("arm64-v8a", "armeabi-v7a", "armlinux-aarch64", "x86_64"):
        assert f"| {name} " in listing, listing
    bundle = installed.workdir / "bundle"
    installed.run(edgeocr, "convert", "--target", "x86_64", "--out", str(bundle))
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["models"]) == {"det", "cls", "rec"}
