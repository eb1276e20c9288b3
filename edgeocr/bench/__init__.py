"""Benchmarks on devices: ``run`` (``benchmark``) is the entry point; a sweep of runner
configurations (``sweep``), latency statistics (``stats``), accuracy against labels and
parity with the host (``accuracy``), the data a sweep runs on (``dataset``) and the files it
leaves for people and programs (``report``)."""

from edgeocr.bench.benchmark import BenchRun, DeviceResult, run

__all__ = ["BenchRun", "DeviceResult", "run"]
