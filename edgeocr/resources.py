"""Where the repository's data folders (``targets/``, ``quant/``) are at run time.

They live at the repository's top level, beside the package, so that profiles, recipes and
the native sources are edited in one obvious place. ``pip install .`` (or a wheel) cannot
reach a checkout, so setup.py installs each of them as package data in ``edgeocr/_data/<name>/``;
an editable install has no such copy and uses the checkout's folder instead.
"""

from __future__ import annotations

from pathlib import Path

from edgeocr.errors import EdgeOCRError

_PACKAGE = Path(__file__).resolve().parent
INSTALLED_DATA = _PACKAGE / "_data"
#: The checkout an editable install runs from (for an installed package: site-packages).
CHECKOUT = _PACKAGE.parent


def resource_dir(name: str) -> Path:
    """The data folder ``name`` (``targets`` or ``quant``): the installed copy, else the checkout's."""
    for base in (INSTALLED_DATA, CHECKOUT):
        if (base / name).is_dir():
            return base / name
    raise EdgeOCRError(f"edgeocr data folder {name!r} is neither installed with the package "
                       f"({INSTALLED_DATA / name}) nor in a checkout ({CHECKOUT / name}): reinstall edgeocr")
