"""How soon Stop ends a run in the training process (the window's Stop button).

    python bench/stop_latency.py [--repeats 5]

Starts digits_cnn in a training child (as the window does), sends ``stop`` half a second
after the first progress message and measures until the child's ``finished`` message
arrives. Prints the median over the repeats against the target (200 ms). A timing, so it
lives here and not in the unit tests.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnstudio.graph.files.project_file import load_project, project_to_bytes  # noqa: E402
from nnstudio.training.remote import RunRequest, child_main  # noqa: E402

TARGET_S = 0.2


def main() -> int:
    parser = argparse.ArgumentParser(description="Stop latency of a training run.")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    project = load_project(ROOT / "examples" / "digits_cnn.nnstudio")
    project.training["epochs"] = 10_000
    request = RunRequest(project_to_bytes(project), snapshot_interval_s=0.25)
    ctx = multiprocessing.get_context("spawn")
    child_commands, commands = ctx.Pipe(duplex=False)
    messages, child_messages = ctx.Pipe(duplex=False)
    child = ctx.Process(target=child_main, args=(child_commands, child_messages), daemon=True)
    child.start()
    assert messages.recv() == ("ready",)
    latencies = []
    for _ in range(args.repeats):
        commands.send(("run", request))
        while messages.recv()[0] != "progress":
            pass
        time.sleep(0.5)
        while messages.poll():
            messages.recv()
        start = time.perf_counter()
        commands.send(("stop",))
        while messages.recv()[0] != "finished":
            pass
        latencies.append(time.perf_counter() - start)
    commands.send(("quit",))
    child.join(5)
    median = statistics.median(latencies)
    print(f"stop latency: median {median * 1000:.0f} ms over {args.repeats} runs "
          f"(all: {', '.join(f'{x * 1000:.0f}' for x in latencies)} ms; target "
          f"<= {TARGET_S * 1000:.0f} ms) {'OK' if median <= TARGET_S else 'MISSED'}")
    return 0 if median <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
