"""Benchmarks on devices: a sweep of runner configurations (``sweep``), latency statistics
(``stats``), accuracy against labels and parity with the host (``accuracy``), the data a
sweep runs on (``dataset``) and the files it leaves for people and programs (``report``)."""
