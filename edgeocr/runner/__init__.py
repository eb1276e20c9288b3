"""Runners: the programs that run OCR on a device and write timings and results as JSON.

All of them follow one command-line protocol and output format, ``contract``, so deploy
and bench drive them alike:

- ``python_runner``: the contract over ``edgeocr.ocr`` and the pip ``paddlelite`` runtime
  (any host or board with that package; ``python -m edgeocr.runner``), shipped to devices
  as a self-contained zipapp (``zipapp``);
- the native C++ runner for Android and ARM Linux (``targets/native/``), built against a
  Paddle-Lite release library whose version ``runtime_lib`` reads (``native_build``);
- ``measure``: how OCR is timed, shared by the Python runner, bench's host reference and
  the scripts in ``benchmarks/``;
- ``deploy``: putting a payload (``payload``), a runner and its libraries on a device, over
  the device layer's folder sync;
- ``remote``: starting a deployed runner on a device and collecting its validated result.
"""
