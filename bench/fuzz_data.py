"""The full run of the malformed-data corpus: every case in its own ``nnstudio new`` process.

    python bench/fuzz_data.py [--count 150] [--seed 0] [--jobs 2]

Writes the corpus of ``tests/hostile_files/data_files.py`` into a temporary folder and runs
``nnstudio new OUT --data FILE`` once per case in a child process with a 30 s limit and a
4 GB address-space cap. Prints one line per problem and a summary: hangs (over 30 s),
tracebacks or "unexpected error" lines, exits other than 0/1, refusals that are not one
sentence naming the file, and the largest peak resident memory of any process (target:
under 2 GB). Exit code 1 if anything is wrong. The test suite runs the same corpus in one
child process (``tests/training/test_fuzz_data_files.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile_files.data_files import DataCase, make_data_cases  # noqa: E402
from hostile_files.isolated import Outcome, run_cli  # noqa: E402

GB = 2**30


def check(case: DataCase, outcome: Outcome) -> str | None:
    """What is wrong with one run, or None."""
    err = outcome.stderr.strip()
    if outcome.timed_out:
        return "hung for 30 s"
    if outcome.returncode not in (0, 1):
        return f"exit code {outcome.returncode}: {err[-300:]}"
    if "Traceback" in err or "unexpected error" in err or "Warning" in err:
        return err[-400:]
    if outcome.returncode == 1:
        lines = err.splitlines()
        if len(lines) != 1 or not any(f.name[-24:] in lines[0] for f in case.files):
            return f"not one sentence naming the file: {err[:300]!r}"
    if outcome.peak_rss_bytes >= 2 * GB:
        return f"peak memory {outcome.peak_rss_bytes / GB:.1f} GB"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        cases = make_data_cases(corpus, args.seed, args.count)

        def one(item: tuple[int, DataCase]) -> tuple[DataCase, Outcome]:
            index, case = item
            out = Path(folder) / f"out{index}.nnstudio"
            return case, run_cli(["new", str(out), "--data", str(case.path), "--force"],
                                 timeout_s=30, address_space_bytes=4 * GB)

        with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            results = list(pool.map(one, enumerate(cases)))
    problems = [(case, check(case, outcome)) for case, outcome in results]
    for case, problem in problems:
        if problem:
            print(f"{case.name}: {problem}")
    wrong = sum(1 for _case, problem in problems if problem)
    refused = sum(1 for _case, outcome in results if outcome.returncode == 1)
    peak = max(outcome.peak_rss_bytes for _case, outcome in results)
    slowest = max(outcome.seconds for _case, outcome in results)
    print(f"{len(results)} cases: {refused} refused with a sentence, "
          f"{len(results) - refused} made a project, {wrong} wrong; largest peak "
          f"{peak / 2**20:.0f} MB, slowest process {slowest:.1f} s")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
