"""Issue 16, acceptance 1 and 4 on the command line: the malformed-project corpus.

Every file of the corpus (``hostile_files.projects``, 700+ files) goes through the loader
here: what a class promises (refused, or opened) holds, a refusal is one sentence naming
the file, and what opens saves, reopens and saves again to the same bytes. A sample of
120 (every class) goes through ``nnstudio check`` and ``nnstudio train --epochs 1 --save``
in a child process with a memory cap and a time limit; ``bench/fuzz_projects.py`` runs the
whole corpus, each file in its own process (README, "Hostile files").
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hostile_files.isolated import run_python
from hostile_files.project_runner import child_code
from hostile_files.projects import CLASSES, make_project_cases, sample, write_cases

from nnstudio.graph.files.project_file import ProjectFileError, project_from_bytes, project_to_bytes

TESTS = Path(__file__).resolve().parents[1]
LIMIT_MB = 1000
"""The memory budget the children declare (``$NNSTUDIO_MEMORY_LIMIT_MB``)."""
MAX_PROCESS_MB = 2048
CASE_SECONDS = 30.0


@pytest.fixture(scope="module")
def cases() -> list:
    return make_project_cases(seed=0)


def test_the_corpus_covers_every_class_with_500_files(cases: list) -> None:
    assert len(cases) >= 500
    assert {case.klass for case in cases} == set(CLASSES)
    assert len({case.name for case in cases}) == len(cases)


def test_every_file_is_refused_with_a_sentence_or_opens_and_saves_identically(
        cases: list) -> None:
    wrong = []
    for case in cases:
        start = time.perf_counter()
        try:
            project = project_from_bytes(case.data, f"{case.name}.nnstudio")
        except ProjectFileError as error:
            message = str(error)
            if f"{case.name}.nnstudio" not in message or "\n" in message \
                    or len(message) > 400:
                wrong.append((case.name, "message", message[:300]))
            if case.expect == "open":
                wrong.append((case.name, "refused", message[:300]))
        else:
            if case.expect == "refuse":
                wrong.append((case.name, "opened"))
            first = project_to_bytes(project)
            again = project_from_bytes(first, "again.nnstudio")
            if not again.same_as(project) or project_to_bytes(again) != first:
                wrong.append((case.name, "not the same after a save"))
        if time.perf_counter() - start > CASE_SECONDS:
            wrong.append((case.name, "slow"))
    assert wrong == []


@pytest.mark.slow
def test_a_sample_through_check_and_train_in_a_child(cases: list, tmp_path: Path) -> None:
    picked = sample(cases, 120, seed=1)
    assert {case.klass for case in picked} == set(CLASSES)
    paths = write_cases(tmp_path, picked)
    env = {**os.environ, "NNSTUDIO_MEMORY_LIMIT_MB": str(LIMIT_MB)}
    outcome = run_python(child_code(TESTS), ["cli", *map(str, paths)], env=env,
                         cwd=str(tmp_path), timeout_s=CASE_SECONDS * len(paths))
    assert not outcome.timed_out and outcome.returncode == 0, outcome.stderr[-2000:]
    assert outcome.peak_rss_bytes < MAX_PROCESS_MB * 2**20
    assert outcome.stderr == ""
    records = [json.loads(line) for line in outcome.stdout.splitlines()]
    assert len(records) == len(paths)
    problems = []
    for case, record in zip(picked, records, strict=True):
        name = Path(record["path"]).name
        problems += [(name, "exception", record["exception"])] if "exception" in record else []
        problems += [(name, "warnings", record["warnings"])] if record["warnings"] else []
        if record["seconds"] > CASE_SECONDS:
            problems.append((name, "slow", record["seconds"]))
        code, out, err = record["check"]
        if code == 2:
            if err.count("\n") != 1 or name not in err or "unexpected error" in err:
                problems.append((name, "check refusal", err[:300]))
            if case.expect == "open":
                problems.append((name, "refused", err[:300]))
        elif case.expect == "refuse":
            problems.append((name, "accepted", out[-300:]))
        if "train" in record:
            code, out, err = record["train"]
            if "unexpected error" in err or "Traceback" in err:
                problems.append((name, "train", err[:300]))
            if code == 0:
                pass
            elif err and (err.count("\n") != 1 or len(err) > 600):
                problems.append((name, "train message", err[:300]))
            elif not err and "diverged" not in out:  # a diverged run says so on stdout
                problems.append((name, "train failed silently", out[-300:]))
        if record.get("reopened") not in (None, True):
            problems.append((name, "reopen", record["reopened"]))
    assert problems == []
