"""Run project files through ``check``, ``train`` and the window, and report each as JSON.

Meant to run in a child process (``isolated.run_python``) with a time limit, an address
space cap and ``$NNSTUDIO_MEMORY_LIMIT_MB`` set, one line of JSON per file on stdout:

    python -c "from hostile_files.project_runner import main; main()" cli FILE...
    python -c "from hostile_files.project_runner import main; main()" window FILE...

``cli``: ``nnstudio check FILE``; then ``nnstudio train FILE --epochs 1 --save OUT`` for a
file ``check`` could read; the saved file is opened again. ``window``: one offscreen main
window opens FILE (File › Open), saves it, opens the saved file and saves again (the bytes
must not change), autosaves, and, when the Problems panel shows no error, trains one epoch
with the Train button's action. Every error dialog's text is recorded, and the app's own
exception hook counts the "Unexpected error" dialogs it would have shown. Python warnings
(NumPy's RuntimeWarnings among them) are recorded instead of printed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

CASE_TIMEOUT_S = 30.0


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def _run_main(args: list[str]) -> tuple[int, str, str]:
    from nnstudio.cli.main import main as cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(args)
    return code, out.getvalue(), err.getvalue()


def run_cli(paths: list[str], out_dir: str) -> None:
    """``check`` and ``train`` each file (see the module docstring)."""
    from nnstudio.graph.files.project_file import ProjectFileError, load_project

    for index, path in enumerate(paths):
        record: dict[str, Any] = {"path": path}
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                record["check"] = _run_main(["check", path])
                if record["check"][0] in (0, 1):
                    saved = os.path.join(out_dir, f"trained-{index}.nnstudio")
                    record["train"] = _run_main(["train", path, "--epochs", "1",
                                                 "--save", saved])
                    if os.path.exists(saved):
                        try:
                            load_project(saved)
                            record["reopened"] = True
                        except ProjectFileError as error:
                            record["reopened"] = str(error)
                        os.unlink(saved)
            except BaseException as error:
                record["exception"] = f"{type(error).__name__}: {error}"[:500]
        record["warnings"] = [f"{w.category.__name__}: {w.message}"[:300] for w in caught]
        record["seconds"] = time.perf_counter() - start
        record.update(_memory())
        _emit(record)


def _memory() -> dict[str, float]:
    """The process's resident memory now and its peak so far, in MB (Linux)."""
    found: dict[str, float] = {}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key = "rss_mb" if line.startswith("VmRSS") else "peak_mb"
                    found[key] = int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return found


def run_window(paths: list[str], out_dir: str) -> None:
    """Open, save, reopen, autosave and train each file in one offscreen window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("NNSTUDIO_TRAINING_BACKEND", "thread")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    QCoreApplication.setOrganizationName("NNStudioFuzz")
    QCoreApplication.setApplicationName("NNStudioFuzz")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      os.path.join(out_dir, "settings"))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = os.path.join(out_dir, "recovery")

    from nnstudio.ui.autosave import RecoverySession
    from nnstudio.ui.error_dialog import install_exception_hook
    from nnstudio.ui.main_window import MainWindow

    unexpected: list[str] = []
    hook, _uninstall = install_exception_hook()
    hook.show = lambda parent, exc, details: unexpected.append(  # type: ignore[assignment]
        f"{type(exc).__name__}: {exc}"[:500])
    window = MainWindow(recovery=RecoverySession(Path(out_dir) / "recovery"))
    dialogs: list[str] = []
    window.files.show_error = lambda title, text: dialogs.append(text)  # type: ignore
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    for index, path in enumerate(paths):
        unexpected.clear()
        dialogs.clear()
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record = _window_case(app, window, Path(path), Path(out_dir), index, dialogs)
        record["unexpected"] = list(unexpected)
        record["dialogs"] = list(dialogs)
        record["warnings"] = [f"{w.category.__name__}: {w.message}"[:300] for w in caught]
        record["seconds"] = time.perf_counter() - start
        record.update(_memory())
        _emit(record)
    window.training_ui.shutdown()
    window.files.recovery.close()
    window.session.close()
    window.close()


def _wait(app: Any, done: Any, seconds: float) -> bool:
    deadline = time.perf_counter() + seconds
    while not done():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.005)
    return True


def _window_case(app: Any, window: Any, path: Path, out_dir: Path, index: int,
                 dialogs: list[str]) -> dict[str, Any]:
    from nnstudio.graph.files.project_file import load_project
    from nnstudio.graph.model.project_edits import SetSetting
    from nnstudio.ui.training.controller import FINISHED, IDLE

    record: dict[str, Any] = {"path": str(path)}
    files, session = window.files, window.session
    try:
        record["opened"] = files.open_path(path, ask=False)
        app.processEvents()
        if not record["opened"]:
            return record
        session.wait_for_signature()
        app.processEvents()
        first = out_dir / f"saved-{index}.nnstudio"
        record["saved"] = files.save_to(first)
        if record["saved"]:
            again = load_project(first)
            record["same_after_reopen"] = again.same_as(session.project_for_file(first))
            record["reopened"] = files.open_path(first, ask=False)
            second = out_dir / f"saved-{index}-again.nnstudio"
            record["saved_again"] = files.save_to(second)
            record["identical"] = (record["saved_again"]
                                   and first.read_bytes() == second.read_bytes())
            for item in (first, second):
                item.unlink(missing_ok=True)
        session.mark_modified()
        record["autosaved"] = files.autosave() is not None
        errors = [p.message for p in window.problems.problems if p.severity == "error"]
        record["problem_errors"] = errors[:3]
        controller = window.training_ui.controller
        if not errors and window.project.dataset:
            session.push(SetSetting(("training", "epochs"), 1), "Fuzz: one epoch")
            window.training_ui.actions["train"].trigger()
            record["train_finished"] = _wait(
                app, lambda: controller.state in (FINISHED, IDLE) and controller.job is None,
                CASE_TIMEOUT_S)
            record["train_message"] = controller.message
            if not record["train_finished"]:
                controller.stop()
                _wait(app, lambda: controller.job is None, 10)
    except BaseException as error:
        record["exception"] = f"{type(error).__name__}: {error}"[:500]
    finally:
        files.new_project()
        app.processEvents()
    return record


def main() -> None:
    """``python -c ... cli|window FILE...`` (see the module docstring)."""
    mode, paths = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as out_dir:
        (run_cli if mode == "cli" else run_window)(paths, out_dir)


def child_code(tests_dir: Path) -> str:
    """The ``python -c`` code that runs ``main`` with ``tests/`` importable."""
    return (f"import sys\nsys.path.insert(0, {str(tests_dir)!r})\n"
            "from hostile_files.project_runner import main\nmain()\n")
