"""Issue 16, acceptance 3: text from a project file can never become code in an export.

Projects whose titles, ids, name and description hold newlines, ``\\r``, quotes, triple
quotes, backslashes, ``#``, Unicode line separators, form feeds, NUL, lone surrogates and
bidi controls are exported to PyTorch, ONNX and CSV. The generated script must have
exactly the statements of the same export with benign titles, the hostile text may appear
only inside string constants (comments hold one sanitized printable line), and importing
it must not run anything.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hostile import (
    HOSTILE_TEXTS,
    MARKER,
    assert_marker_only_in_strings,
    ast_shape,
    hostile_project,
    string_constants,
    top_level,
)

from nnstudio.export import export_project, history_csv_text
from nnstudio.export.codegen import (
    comment_line,
    csv_text,
    docstring_line,
    one_line,
    py_literal,
    py_str,
)
from nnstudio.graph.files.project_file import load_project
from nnstudio.paths import examples_dir
from nnstudio.training.datasets import load_dataset

EXAMPLES = ["xor", "digits_cnn", "chocolate_happiness", "bagging"]
MODEL_STATEMENTS = [
    "docstring", "from:__future__", "import:sys", "from:pathlib", "import:numpy",
    "import:torch", "from:torch", "assign:WEIGHTS", "assign:INPUT_SHAPE", "assign:HEADS",
    "class:Network", "def:load_model", "def:preprocess", "def:probabilities", "def:main", "if",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_literals_give_back_the_text_exactly(text: str) -> None:
    literal = py_str(text)
    assert len(literal.splitlines()) == 1 and literal.isprintable()
    assert ast.literal_eval(literal) == text
    assert ast.literal_eval(py_literal({"k": [text, (text,)]})) == {"k": [text, (text,)]}


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_comment_and_docstring_lines_cannot_escape(text: str) -> None:
    for line in (one_line(text), comment_line(text), docstring_line(text)):
        assert line.isprintable() and len(line.splitlines()) <= 1
    source = f'"""{docstring_line(text)}"""\n{comment_line(text)}\nvalue = 1\n'
    assert top_level(source) == ["docstring", "assign:value"]
    assert_marker_only_in_strings(source)


def test_py_literal_refuses_what_is_not_data() -> None:
    for bad in (float("nan"), float("inf"), 10**30, object(), {1, 2}):
        with pytest.raises(ValueError):
            py_literal(bad)


def _export(project_name: str, hostile: bool, tmp: Path, fmt: str) -> list[Path]:
    path = examples_dir() / f"{project_name}.nnstudio"
    project = hostile_project(path) if hostile else load_project(path)
    data = load_dataset(project.dataset, seed=project.seed).signature()
    suffix = {"pytorch": "model.py", "onnx": "model.onnx"}[fmt]
    folder = tmp / ("hostile" if hostile else "benign")
    folder.mkdir(exist_ok=True)
    return export_project(project, fmt, folder / suffix, data=data)


@pytest.mark.parametrize("name", EXAMPLES)
def test_pytorch_export_of_hostile_project_has_only_the_expected_code(
        name: str, tmp_path: Path) -> None:
    script = _export(name, True, tmp_path, "pytorch")[0]
    source = script.read_text(encoding="utf-8")
    benign = _export(name, False, tmp_path, "pytorch")[0].read_text(encoding="utf-8")
    expected = list(MODEL_STATEMENTS)
    if name == "bagging":        # an ensemble: its size and its class after Network
        expected.insert(expected.index("class:Network"), "assign:MEMBERS")
        expected.insert(expected.index("class:Network") + 1, "class:Ensemble")
    assert top_level(source) == expected
    assert ast_shape(source) == ast_shape(benign)
    assert_marker_only_in_strings(source)
    # the text itself survives, exactly, where it is data (the heads' titles)
    assert any(text in string_constants(source) for text in HOSTILE_TEXTS)
    assert MARKER in source      # (the test is not vacuous: the text was written)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["xor", "digits_cnn"])
def test_importing_and_running_the_hostile_export_runs_nothing_else(
        name: str, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    script = _export(name, True, tmp_path, "pytorch")[0]
    probe = ("import runpy, sys; g = runpy.run_path(sys.argv[1]); m = g['load_model']();"
             "print(sorted(k for k in g if 'PWNED' in k))")
    done = subprocess.run([sys.executable, "-c", probe, str(script)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert not list(tmp_path.rglob(f"*{MARKER}*"))


@pytest.mark.parametrize("name", ["xor", "digits_cnn", "bagging"])
def test_onnx_strings_of_hostile_project_are_single_lines_and_data(
        name: str, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    path = _export(name, True, tmp_path, "onnx")[0]
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    texts = [model.doc_string, model.graph.name, model.graph.doc_string,
             *(n.name for n in model.graph.node), *(n.doc_string for n in model.graph.node)]
    for text in texts:
        assert text.isprintable(), repr(text)
    names = [v.name for v in [*model.graph.input, *model.graph.output, *model.graph.initializer]]
    names += [o for n in model.graph.node for o in [*n.input, *n.output]]
    assert all(MARKER not in n and n.isprintable() for n in names)
    assert MARKER in model.graph.name      # the project's name, sanitized
    props = {p.key: p.value for p in model.metadata_props}
    rows = json.loads(props["nnstudio.heads"])
    assert {r["title"] for r in rows} <= set(HOSTILE_TEXTS)   # exact text, JSON-escaped
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    shape = [d.dim_value or 3 for d in model.graph.input[0].type.tensor_type.shape.dim]
    (out,) = session.run(None, {"x": np.zeros(shape, dtype=np.float32)})
    assert np.all(np.isfinite(out))


def test_history_csv_cells_cannot_become_formulas_or_break_lines() -> None:
    history = [{"epoch": 1, "train_loss": -0.25, "val_r2": -1.5e-3, "note": text,
                f"grad_norm/{text}": 0.5, "flag": True, "missing": None, "inf": float("inf")}
               for text in HOSTILE_TEXTS]
    text = history_csv_text(history)
    assert all(line.isprintable() for line in text.split("\n"))
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(history) + 1
    for row in rows:
        for cell in row:
            assert "\n" not in cell and "\r" not in cell and cell.isprintable()
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)                   # only numbers may start like a formula
    body = rows[1:]
    header = rows[0]
    assert [float(r[header.index("train_loss")]) for r in body] == [-0.25] * len(history)
    assert [r[header.index("val_r2")] for r in body] == ["-0.0015"] * len(history)
    assert {r[header.index("inf")] for r in body} == {""}
    assert csv_text("=1+1") == "'=1+1" and csv_text("-3") == "-3" and csv_text("@x") == "'@x"
