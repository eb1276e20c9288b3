"""Where edgeocr keeps things: the model home (``EDGEOCR_HOME``, default ``~/.cache/edgeocr``).

Layout of a pulled model set (``<home>/models/<name>/``)::

    manifest.json            # the set: name, source package, dictionary, per-model entries
    ppocr_keys_v1.txt        # the rec dictionary
    det/ cls/ rec/           # one folder per model
        model.pdparams       # dygraph checkpoint (trainable, quantizable, prunable)
        inference.pdmodel    # exported inference model (paddle.jit.save)
        inference.pdiparams
        model.onnx           # the reference ONNX (det: Resize patched to floor), when known
        manifest.json        # source file + sha256, input spec, parameter count
"""

from __future__ import annotations

import os
from pathlib import Path

TASKS = ("det", "cls", "rec")
INFER_MODEL = "inference.pdmodel"
INFER_PARAMS = "inference.pdiparams"
ONNX_FILE = "model.onnx"
CHECKPOINT = "model.pdparams"
DICT_FILE = "ppocr_keys_v1.txt"


def home() -> Path:
    """The edgeocr home folder (created lazily by the code that writes into it)."""
    env = os.environ.get("EDGEOCR_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "edgeocr"


def model_set_dir(name: str) -> Path:
    """Folder of a pulled model set, e.g. ``<home>/models/ppocrv2``."""
    return home() / "models" / name
