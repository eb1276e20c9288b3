"""edgeocr: PP-OCRv2 from trained weights to ARM devices.

The package folders follow the flow of the tool: ``models`` (architectures and the
model zoo) -> ``ocr`` (the end-to-end pipeline and its inference backends) ->
``data``/``metrics`` (labelled data and scores) -> ``compress`` -> ``convert`` ->
``device`` -> ``bench``.
"""

__version__ = "0.1.0"
