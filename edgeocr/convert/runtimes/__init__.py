"""One converter per runtime, chosen by the target's runtime name: adding a runtime is one
module here and one entry in ``CONVERTERS``; the bundle writer and ``inspect`` stay as they are."""

from __future__ import annotations

from edgeocr.convert.runtimes.base import ConversionError, Converter, ModelFileInfo
from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
from edgeocr.convert.runtimes.paddle_lite import PaddleLiteConverter
from edgeocr.errors import InputError

CONVERTERS: dict[str, Converter] = {c.runtime: c for c in (PaddleLiteConverter(), OnnxRuntimeConverter())}


def converter_for(runtime: str) -> Converter:
    """The converter of runtime ``runtime`` (a target profile's ``runtime.name``)."""
    try:
        return CONVERTERS[runtime]
    except KeyError:
        raise InputError(f"no converter for runtime {runtime!r} (known: {', '.join(CONVERTERS)})") from None


__all__ = ["CONVERTERS", "ConversionError", "Converter", "ModelFileInfo", "converter_for"]
