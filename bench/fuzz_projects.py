"""The full run of the malformed-project corpus: check, train and the window, isolated.

    python bench/fuzz_projects.py [--count 720] [--seed 0] [--jobs 2] [--batch 40]
                                  [--no-window] [--limit-mb 1000]

Writes the corpus of ``tests/hostile_files/projects.py`` into a temporary folder (with the
data files its dataset cases name) and runs, for every file, ``nnstudio check FILE`` and,
when check could read it, ``nnstudio train FILE --epochs 1 --save OUT`` (then opens OUT),
each in its own child process with a 30 s limit and a 4 GB address-space cap. Then the
window: one offscreen main window per batch of ``--batch`` files opens, saves, reopens,
saves again, autosaves and trains one epoch (``hostile_files.project_runner``), 30 s per
file. Every child declares a memory budget (``NNSTUDIO_MEMORY_LIMIT_MB``, default 1000).

Prints one line per problem and a summary: hangs, tracebacks, "unexpected error" lines or
dialogs, warnings printed, exit codes other than 0/1/2, refusals that are not one sentence
naming the file, files check accepts that the window cannot open, save or reopen to the
same bytes, and the largest peak resident memory of any process (target: under 2 GB).
Exit code 1 if anything is wrong. The test suite runs samples of the same corpus
(``tests/graph/test_fuzz_projects.py``, ``tests/ui/test_fuzz_window.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile_files.isolated import Outcome, run_cli, run_python  # noqa: E402
from hostile_files.project_runner import child_code  # noqa: E402
from hostile_files.projects import ProjectCase, make_project_cases, write_cases  # noqa: E402

GB = 2**30
CASE_SECONDS = 30.0


def cli_problems(path: Path, check: Outcome, train: Outcome | None) -> list[str]:
    """What is wrong with one file's check and train, or []."""
    problems = []
    for step, outcome in (("check", check), ("train", train)):
        if outcome is None:
            continue
        err = outcome.stderr.strip()
        if outcome.timed_out:
            problems.append(f"{step} hung for {CASE_SECONDS:.0f} s")
            continue
        if outcome.returncode not in (0, 1, 2):
            problems.append(f"{step} exit code {outcome.returncode}: {err[-300:]}")
        if "Traceback" in err or "unexpected error" in err or "Warning" in err:
            problems.append(f"{step}: {err[-400:]}")
        if step == "check" and outcome.returncode == 2 and (
                len(err.splitlines()) != 1 or path.name not in err):
            problems.append(f"check refusal is not one sentence naming the file: {err[:300]!r}")
        if step == "train" and err and outcome.returncode != 0 and len(err.splitlines()) != 1:
            problems.append(f"train failure is not one sentence: {err[:300]!r}")
        if outcome.peak_rss_bytes >= 2 * GB:
            problems.append(f"{step} peak memory {outcome.peak_rss_bytes / GB:.1f} GB")
    return problems


def window_problems(record: dict, readable: bool) -> list[str]:
    """What is wrong with one file in the window, or []."""
    problems = [f"{key}: {record[key]}" for key in ("exception", "unexpected", "warnings")
                if record.get(key)]
    if record["seconds"] > CASE_SECONDS:
        problems.append(f"window took {record['seconds']:.0f} s")
    if not record.get("opened"):
        texts = record["dialogs"]
        name = Path(record["path"]).name
        if len(texts) != 1 or name not in texts[0]:
            problems.append(f"refusal in the window: {texts!r}"[:300])
        if readable:
            problems.append("check reads it, the window does not open it")
        return problems
    for key in ("saved", "same_after_reopen", "reopened", "saved_again", "identical",
                "autosaved"):
        if record.get(key) is not True:
            problems.append(f"{key} is {record.get(key)!r} ({record['dialogs'][:1]})")
    if "train_finished" in record and not record["train_finished"]:
        problems.append("training did not end")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=720)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--limit-mb", type=int, default=1000)
    parser.add_argument("--no-window", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "NNSTUDIO_MEMORY_LIMIT_MB": str(args.limit_mb),
           "QT_QPA_PLATFORM": "offscreen", "NNSTUDIO_TRAINING_BACKEND": "thread"}
    start = time.perf_counter()
    cases = make_project_cases(seed=args.seed, count=args.count)
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        paths = write_cases(corpus, cases)

        def one(item: tuple[int, Path]) -> tuple[Outcome, Outcome | None]:
            index, path = item
            check = run_cli(["check", str(path)], timeout_s=CASE_SECONDS,
                            address_space_bytes=4 * GB, env=env, cwd=str(corpus))
            train = None
            if check.returncode in (0, 1):
                out = Path(folder) / f"trained{index}.nnstudio"
                train = run_cli(["train", str(path), "--epochs", "1", "--save", str(out)],
                                timeout_s=CASE_SECONDS, address_space_bytes=4 * GB, env=env,
                                cwd=str(corpus))
            return check, train

        with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            cli = list(pool.map(one, enumerate(paths)))
        cli_seconds = time.perf_counter() - start

        def batch(chunk: list[Path]) -> tuple[Outcome, list[dict]]:
            outcome = run_python(child_code(ROOT / "tests"), ["window", *map(str, chunk)],
                                 env=env, cwd=str(corpus), address_space_bytes=4 * GB,
                                 timeout_s=CASE_SECONDS * len(chunk))
            return outcome, [json.loads(line) for line in outcome.stdout.splitlines()]

        windows: list[tuple[Outcome, list[dict]]] = []
        if not args.no_window:
            chunks = [paths[i:i + args.batch] for i in range(0, len(paths), args.batch)]
            with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
                windows = list(pool.map(batch, chunks))
    report(cases, paths, cli, windows, cli_seconds, time.perf_counter() - start)
    return 1 if any_wrong(cases, paths, cli, windows) else 0


def collect(cases: list[ProjectCase], paths: list[Path],
            cli: list[tuple[Outcome, Outcome | None]],
            windows: list[tuple[Outcome, list[dict]]]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    readable = {}
    for case, path, (check, train) in zip(cases, paths, cli, strict=True):
        readable[str(path)] = check.returncode in (0, 1)
        problems += [(path.name, p) for p in cli_problems(path, check, train)]
        if check.returncode == 2 and case.expect == "open":
            problems.append((path.name, f"refused: {check.stderr.strip()[:200]}"))
        if check.returncode in (0, 1) and case.expect == "refuse":
            problems.append((path.name, "accepted though it should be refused"))
    for outcome, records in windows:
        if outcome.timed_out or outcome.returncode != 0:
            problems.append(("window batch", f"exit {outcome.returncode}: "
                                             f"{outcome.stderr[-300:]}"))
        if outcome.peak_rss_bytes >= 2 * GB:
            problems.append(("window batch", f"peak {outcome.peak_rss_bytes / GB:.1f} GB"))
        noise = [line for line in outcome.stderr.splitlines()
                 if "propagateSizeHints" not in line]
        if noise:
            problems.append(("window batch", f"printed: {noise[:3]}"))
        for record in records:
            problems += [(Path(record["path"]).name, p)
                         for p in window_problems(record, readable[record["path"]])]
    return problems


def any_wrong(*args: object) -> bool:
    return bool(collect(*args))  # type: ignore[arg-type]


def report(cases: list[ProjectCase], paths: list[Path],
           cli: list[tuple[Outcome, Outcome | None]],
           windows: list[tuple[Outcome, list[dict]]], cli_seconds: float,
           seconds: float) -> None:
    problems = collect(cases, paths, cli, windows)
    for name, problem in problems:
        print(f"{name}: {problem}")
    refused = sum(1 for check, _ in cli if check.returncode == 2)
    valid = sum(1 for check, _ in cli if check.returncode == 0)
    trained = sum(1 for _, train in cli if train is not None and train.returncode == 0)
    outcomes = [o for pair in cli for o in pair if o is not None]
    peak = max(o.peak_rss_bytes for o in outcomes)
    slowest = max(o.seconds for o in outcomes)
    print(f"{len(cases)} files: check refused {refused} with a sentence, found {valid} valid "
          f"and {len(cases) - refused - valid} with network errors; train --epochs 1 "
          f"completed {trained}; {len(outcomes)} processes, largest peak "
          f"{peak / 2**20:.0f} MB, slowest {slowest:.1f} s ({cli_seconds:.0f} s)")
    named = [(o.peak_rss_bytes, step, path.name) for path, pair in zip(paths, cli, strict=True)
             for step, o in zip(("check", "train"), pair, strict=True) if o is not None]
    for rss, step, name in sorted(named, reverse=True)[:3]:
        print(f"  largest: {step} {name} {rss / 2**20:.0f} MB")
    if windows:
        records = [r for _, batch in windows for r in batch]
        opened = sum(1 for r in records if r.get("opened"))
        trained_w = sum(1 for r in records if r.get("train_finished"))
        wpeak = max(o.peak_rss_bytes for o, _ in windows)
        wslow = max(r["seconds"] for r in records)
        print(f"window: {len(records)} files, opened {opened} (saved, reopened and saved "
              f"again to the same bytes), trained {trained_w} for one epoch; largest "
              f"peak {wpeak / 2**20:.0f} MB, slowest file {wslow:.1f} s")
    print(f"{len(problems)} problems; {seconds:.0f} s in all")


if __name__ == "__main__":
    raise SystemExit(main())
