"""Issue 16, acceptance 1 for data: a corpus of malformed data files (``hostile_files.data_files``)
through the loaders and through ``nnstudio new --data``.

Every case either loads or is refused with one sentence naming the file; nothing else is
raised, no RuntimeWarning leaks, and in a child process running ``nnstudio new`` on every
file no case hangs (30 s alarm per case), no traceback or "unexpected error" is printed,
and the process stays under 2 GB. ``bench/fuzz_data.py`` runs each case in its own process.
"""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path

import pytest
from hostile_files.data_files import DataCase, make_data_cases
from hostile_files.isolated import run_python

from nnstudio.training.datasets import DatasetError, load_dataset

COUNT = 150
GB = 2**30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[DataCase]:
    return make_data_cases(tmp_path_factory.mktemp("fuzz"), seed=0, count=COUNT)


def names_a_file(message: str, case: DataCase) -> bool:
    return any(f.name[-24:] in message for f in case.files)


def test_the_corpus_covers_every_class(corpus: list[DataCase]) -> None:
    assert len(corpus) >= 100
    kinds = {c.kind for c in corpus}
    assert {"csv", "npz", "idx"} <= kinds
    refused = [c for c in corpus if c.expect == "refuse"]
    assert len(refused) >= 60 and len({c.name for c in corpus}) == len(corpus)


def test_every_case_loads_or_is_refused_with_a_sentence(corpus: list[DataCase]) -> None:
    wrong: list[str] = []
    for case in corpus:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                load_dataset(case.spec)
                outcome, message = "load", ""
            except DatasetError as error:
                outcome, message = "refuse", str(error)
        if caught:
            wrong.append(f"{case.name}: warned {[str(w.message) for w in caught]}")
        if case.expect != "either" and outcome != case.expect:
            wrong.append(f"{case.name}: expected {case.expect}, got {outcome} {message}")
        if outcome == "refuse" and not (names_a_file(message, case) and message.endswith(".")
                                        and "\n" not in message and len(message) < 500):
            wrong.append(f"{case.name}: not one sentence naming the file: {message!r}")
    assert not wrong, "\n".join(wrong)


CLI_DRIVER = textwrap.dedent("""
    import contextlib, io, json, signal, sys, time, traceback
    from nnstudio.cli.main import main

    class Hung(Exception):
        pass

    def alarm(_signum, _frame):
        raise Hung()

    signal.signal(signal.SIGALRM, alarm)
    cases, out = json.loads(sys.argv[1]), sys.argv[2]
    for name, path in cases:
        err = io.StringIO()
        start = time.perf_counter()
        signal.alarm(30)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["new", out, "--data", path, "--force"])
        except Hung:
            code = "hung"
        except BaseException:
            code = "raised"
            err.write(traceback.format_exc())
        finally:
            signal.alarm(0)
        print(json.dumps([name, code, err.getvalue(), time.perf_counter() - start]),
              flush=True)
""")


def cli_expect(case: DataCase) -> str:
    """What ``nnstudio new --data FILE`` should do: the case's expectation when its spec is
    just the file (options like feature columns cannot be given on the command line)."""
    return case.expect if set(case.spec) <= {"source", "path", "images", "labels"} else "either"


def test_nnstudio_new_on_the_corpus(corpus: list[DataCase], tmp_path: Path) -> None:
    cases = [[c.name, str(c.path)] for c in corpus]
    result = run_python(CLI_DRIVER, [json.dumps(cases), str(tmp_path / "out.nnstudio")],
                        timeout_s=600, address_space_bytes=4 * GB)
    assert not result.timed_out and result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(cases)
    by_name = {c.name: c for c in corpus}
    wrong = []
    for name, code, stderr, _seconds in rows:
        case = by_name[name]
        lines = stderr.strip().splitlines()
        expect = cli_expect(case)
        if code not in (0, 1):
            wrong.append(f"{name}: {code} {stderr[-800:]}")
        elif "Traceback" in stderr or "unexpected error" in stderr or "Warning" in stderr:
            wrong.append(f"{name}: {stderr[-800:]}")
        elif code == 1 and (len(lines) != 1 or not names_a_file(lines[0], case)):
            wrong.append(f"{name}: not one sentence naming the file: {stderr!r}")
        elif expect != "either" and code != (1 if expect == "refuse" else 0):
            wrong.append(f"{name}: expected {expect}, exit code {code}: {stderr!r}")
    assert not wrong, "\n".join(wrong)
    assert result.peak_rss_bytes < 2 * GB
