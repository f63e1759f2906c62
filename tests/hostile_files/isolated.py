"""Run Python code or a command in a child process with a time limit and a memory cap.

Used for inputs that could hang (a FIFO, ``/dev/zero``) or blow up memory (a gzip bomb, a
billion classes): the child gets an address-space limit so a regression fails the test
with a ``MemoryError`` instead of exhausting the machine, and reports its own peak resident
memory (``VmHWM`` of ``/proc/self/status``, written at exit to a file named by the parent)
so a test can assert on it. ``wait4``'s ``ru_maxrss`` is no use here: on Linux a forked
child inherits the parent's high-water mark, so it reads at least the size of pytest.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

#: Default caps for one child: 30 s of wall time, 3 GiB of address space.
TIMEOUT_S = 30.0
ADDRESS_SPACE_BYTES = 3 * 2**30


@dataclass(frozen=True)
class Outcome:
    """What a child did: exit code (None if killed for the time limit), its output, and its
    peak resident set size in bytes."""

    returncode: int | None
    stdout: str
    stderr: str
    peak_rss_bytes: int
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def run_command(argv: Sequence[str], *, timeout_s: float = TIMEOUT_S,
                address_space_bytes: int | None = ADDRESS_SPACE_BYTES,
                cwd: str | None = None, env: dict[str, str] | None = None) -> Outcome:
    """Run ``argv``; kill it (and report ``returncode=None``) after ``timeout_s``."""

    def limit() -> None:  # runs in the child before exec
        if address_space_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space_bytes, address_space_bytes))

    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("OPENBLAS_NUM_THREADS", "1")
    child_env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as folder:
        peak_file = os.path.join(folder, "peak")
        child_env["HOSTILE_PEAK_FILE"] = peak_file
        process = subprocess.Popen(list(argv), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   cwd=cwd, env=child_env, preexec_fn=limit,
                                   start_new_session=True)
        returncode, maxrss = _wait(process, timeout_s)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        try:
            with open(peak_file) as stream:
                peak = int(stream.read())
        except (OSError, ValueError):
            peak = maxrss  # no report (killed, or not Linux): an upper bound
    return Outcome(returncode, stdout, stderr, peak, seconds)


PEAK_PROLOGUE = """
import atexit as _atexit, os as _os
def _report_peak():
    try:
        with open("/proc/self/status") as _status:
            _kb = next(int(l.split()[1]) for l in _status if l.startswith("VmHWM:"))
        with open(_os.environ["HOSTILE_PEAK_FILE"], "w") as _out:
            _out.write(str(_kb * 1024))
    except (OSError, KeyError, StopIteration, ValueError):
        pass
_atexit.register(_report_peak)
"""


def run_python(code: str, args: Sequence[str] = (), **kwargs: object) -> Outcome:
    """Run ``python -c code ARGS`` with this interpreter (see ``run_command``); the peak
    memory is the child's own (``VmHWM``) where the system reports it."""
    argv = [sys.executable, "-c", PEAK_PROLOGUE + code, *args]
    return run_command(argv, **kwargs)  # type: ignore[arg-type]


def run_cli(args: Sequence[str], **kwargs: object) -> Outcome:
    """Run ``nnstudio ARGS`` (the command line's ``main``) in a child (see ``run_python``)."""
    code = ("import sys\nfrom nnstudio.cli.main import main\n"
            "raise SystemExit(main(sys.argv[1:]))\n")
    argv = [sys.executable, "-c", PEAK_PROLOGUE + code, *args]
    return run_command(argv, **kwargs)  # type: ignore[arg-type]


def _wait(process: subprocess.Popen[bytes], timeout_s: float) -> tuple[int | None, int]:
    """Reap the child with ``wait4`` (for its rusage); kill its group at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, int(usage.ru_maxrss) * 1024
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            _pid, _status, usage = os.wait4(process.pid, 0)
            process.returncode = -9
            return None, int(usage.ru_maxrss) * 1024
        time.sleep(0.01)
