"""Packaging. The data folders ``targets/`` (profiles and the native runner's C++ sources) and
``quant/`` (compression recipes) stay at the repository's top level, where they are edited;
``package_dir`` maps each to a package ``edgeocr._data.<name>`` so that ``pip install .`` and
wheels carry them inside the package (``edgeocr.resources`` finds either copy). Every folder
below them is listed as a package too: setuptools deprecates installing a folder that could
be a package as mere data of its parent. The rest of the metadata is in setup.cfg."""

from __future__ import annotations

from setuptools import find_namespace_packages, find_packages, setup

DATA_TREES = ("targets", "quant")


def data_packages(tree: str) -> list[str]:
    """``edgeocr._data.<tree>`` and one package per folder below ``<tree>/``."""
    root = f"edgeocr._data.{tree}"
    return [root, *(f"{root}.{sub}" for sub in find_namespace_packages(where=tree))]


DATA_PACKAGES = [package for tree in DATA_TREES for package in data_packages(tree)]

setup(
    packages=find_packages(include=["edgeocr", "edgeocr.*"]) + DATA_PACKAGES,
    package_dir={f"edgeocr._data.{tree}": tree for tree in DATA_TREES},
    package_data={"edgeocr": ["py.typed"], **{package: ["*"] for package in DATA_PACKAGES}},
)
