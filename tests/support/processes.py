"""Processes a test starts end with the test: terminated, killed if they linger, always waited for.

A ``Popen`` left running (or killed but never waited for) warns ``ResourceWarning: subprocess …
is still running`` when it is collected, which the strict warning filter turns into a failure of
whatever test happens to run then; a child it started outlives the run. ``running`` starts a
process (in its own session with ``group=True``, so its children are ended with it) and
``stop`` ends and reaps it, whether the test passed, failed or timed out.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any


def _signal(proc: subprocess.Popen, sig: signal.Signals, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)  # the group outlives its leader while a child is alive
        elif proc.poll() is None:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass


def stop(proc: subprocess.Popen, *, group: bool = False, timeout: float = 30) -> int:
    """SIGTERM, wait up to ``timeout`` s, then SIGKILL and wait: the process is reaped and its
    pipes closed whatever happens; with ``group`` its whole process group is ended. Returns
    the exit code."""
    if proc.poll() is None:
        _signal(proc, signal.SIGTERM, group)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    _signal(proc, signal.SIGKILL, group)  # whatever is left (of the group)
    proc.wait(timeout=timeout)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return proc.returncode


@contextmanager
def running(args: Sequence[str], *, group: bool = False, timeout: float = 30, **popen: Any) -> Iterator[subprocess.Popen]:
    """``subprocess.Popen(args, **popen)`` for the length of the block, then ``stop``-ped."""
    proc = subprocess.Popen(args, start_new_session=group, **popen)
    try:
        yield proc
    finally:
        stop(proc, group=group, timeout=timeout)
