"""The stack's Celery worker and beat while figures are measured: waited for, paused, watched.

The worker shares the two cores with what is measured (the million-response RDS refresh took a
third to four fifths of a core through whole runs). Before a figure the bench waits for it to be
idle, or pauses it (and beat, which would enqueue more) with SIGSTOP for the submission figures;
beside every figure it records the worker's share of a core while the figure was measured, so
that a figure measured next to a busy worker says so.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import ROOT

RUN = ROOT / "var" / "serve"
# Below this share of a core over a sampling window the worker counts as idle.
IDLE_SHARE = 0.05
TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0  # gone since it was listed: its time left with it
    return int(fields[11]) + int(fields[12])  # utime + stime


def process_cpu_seconds(*, pid: int) -> float:
    """Return the CPU seconds a process of this machine has used (0 once it is gone)."""
    return _ticks(pid) / TICKS


@dataclass
class Worker:
    """The worker's process tree (main process and pool children) and beat, by pid file."""

    worker_pidfile: Path = RUN / "worker.pid"
    beat_pidfile: Path = RUN / "beat.pid"

    @staticmethod
    def _alive(pidfile: Path) -> int | None:
        try:
            pid = int(pidfile.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def running(self) -> bool:
        return self._alive(self.worker_pidfile) is not None

    def pids(self, *, with_beat: bool = False) -> list[int]:
        """Return the worker's pids (and beat's), children included."""
        roots = [self._alive(self.worker_pidfile)]
        if with_beat:
            roots.append(self._alive(self.beat_pidfile))
        tree, found = _children(), []
        todo = [pid for pid in roots if pid is not None]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += tree.get(pid, [])
        return found

    def cpu_seconds(self) -> float:
        return sum(_ticks(pid) for pid in self.pids()) / TICKS

    def share(self, seconds: float) -> float:
        """Return the worker's share of a core over the next few seconds."""
        before, started = self.cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        return (self.cpu_seconds() - before) / (time.monotonic() - started)

    def wait_idle(self, *, patience: float = 300.0, window: float = 2.0) -> tuple[float, float]:
        """Wait until the worker is idle (at most patience seconds); return (waited, last share)."""
        started = time.monotonic()
        share = self.share(window)
        while share >= IDLE_SHARE and time.monotonic() - started < patience:
            share = self.share(window)
        return time.monotonic() - started, share

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop the worker and beat (SIGSTOP) for the block; what they were given waits."""
        pids = self.pids(with_beat=True)
        for pid in pids:
            _signal(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                _signal(pid, signal.SIGCONT)


def _signal(pid: int, sign: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, sign)


@dataclass
class Watch:
    """The worker's CPU share over a stretch of time, as a figure's note."""

    worker: Worker | None
    paused: bool = False
    _cpu: float = 0.0
    _started: float = 0.0
    result: float | None = None

    def __enter__(self) -> Watch:
        if self.worker is not None:
            self._cpu, self._started = self.worker.cpu_seconds(), time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.worker is not None:
            elapsed = max(time.monotonic() - self._started, 1e-6)
            self.result = (self.worker.cpu_seconds() - self._cpu) / elapsed

    def note(self) -> str:
        """Say what the worker did while the figure was measured."""
        if self.worker is None:
            return "no Celery worker running"
        state = "paused" if self.paused else "running"
        busy = " (BUSY: the figure shared the cores with it)" if (self.result or 0) >= 0.2 else ""
        return f"worker {state}, {100 * (self.result or 0):.0f} % of a core{busy}"


def worker_find() -> Worker | None:
    """Return the stack's worker when it runs, else None."""
    worker = Worker()
    return worker if worker.running() else None
