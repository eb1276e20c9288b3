"""The ``edgeocr`` command line: one verb per stage, each a thin layer over a library
function that can be called from Python too."""
