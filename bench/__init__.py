"""Benchmarks for Harms Portal: `make bench`, or `python -m bench [workload ...]`.

A workload is any module in this package whose name does not start with an underscore; it
exposes `run() -> BenchResult`. The harness (`__main__.py`) sets Django up on a throwaway
database, runs each workload and prints one line for it:

    BENCH <name> ratio=<x.xx> target=<op><y> PASS|FAIL (<details>)

Workloads measure ratios against a baseline on the same machine and database, never absolute
times, so a result means the same on a laptop and in CI. A missed target is reported, not
fatal; only a crashing workload makes the exit status non-zero.
"""

from __future__ import annotations

import operator
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

_COMPARE = {"<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class BenchResult:
    name: str
    ratio: float
    op: Literal["<=", ">="]
    target: float
    details: str = ""

    def __post_init__(self) -> None:
        if self.op not in _COMPARE:
            raise ValueError(f"target op must be '<=' or '>=', got {self.op!r}")

    @property
    def passed(self) -> bool:
        return _COMPARE[self.op](self.ratio, self.target)

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"BENCH {self.name} ratio={self.ratio:.2f} target={self.op}{self.target} "
            f"{verdict} ({self.details})"
        )


def per_call_seconds(fn: Callable[[], object], iterations: int) -> float:
    """Mean wall-clock seconds of one call of `fn`, over `iterations` calls in a row."""
    start = time.perf_counter()
    for _ in range(iterations):
        fn()
    return (time.perf_counter() - start) / iterations


def median(values: list[float]) -> float:
    return statistics.median(values)
