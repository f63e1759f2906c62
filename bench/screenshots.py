"""Render the main window at 1440×900 (offscreen) with project files open, one PNG each.

    python bench/screenshots.py [--out FOLDER] [--select TYPE_ID] [FILE.nnstudio ...]

Without files it shows a small hand-built network (and an empty window). Each picture
selects the first node of ``--select``'s type (default: the first activation, else the
first node) so the inspector has content. Look at the pictures: nothing may overlap,
labels must be readable, shapes must show on edges.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from nnstudio.graph.model.project import Project
from nnstudio.ui.autosave import RecoverySession

SIZE = (1440, 900)


def demo_project() -> Project:
    """Chocolate → happiness with one hidden neuron (the lecture's first network)."""
    project = Project(name="Chocolate → happiness")
    doc = project.graph
    x = doc.add_node("neuron.input_feature", (0.0, 80.0), title="chocolate")
    b1 = doc.add_node("neuron.bias", (0.0, 220.0))
    h = doc.add_node("neuron.neuron", (240.0, 120.0), title="h")
    act = doc.add_node("activation", (440.0, 120.0), {"function": "sigmoid"})
    b2 = doc.add_node("neuron.bias", (440.0, 260.0))
    g = doc.add_node("neuron.neuron", (660.0, 140.0), title="g")
    y = doc.add_node("neuron.output", (880.0, 140.0), title="happiness")
    doc.connect(x, "out", h, "in", weight=0.8)
    doc.connect(b1, "out", h, "in", weight=-0.3)
    doc.connect(h, "out", act, "in")
    doc.connect(act, "out", g, "in", weight=1.7)
    doc.connect(b2, "out", g, "in", weight=0.2)
    doc.connect(g, "out", y, "in")
    return project


def pick_node(project: Project, type_id: str | None) -> str | None:
    nodes = list(project.graph.nodes.values())
    wanted = type_id or "activation"
    chosen = next((n.id for n in nodes if n.type_id == wanted), None)
    return chosen or (nodes[0].id if nodes else None)


def shoot(app: QApplication, project: Project | None, path: Path | None, out: Path,
          select: str | None) -> Path:
    from nnstudio.ui.main_window import MainWindow

    window = MainWindow(recovery=RecoverySession(Path(tempfile.mkdtemp()) / "recovery"))
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    if path is not None:
        if not window.files.open_path(path, ask=False):
            raise SystemExit(f"could not open {path}")
    elif project is not None:
        window.set_project(project, None)
    window.resize(*SIZE)
    window.show()
    for _ in range(5):
        app.processEvents()
    window.view.fit_all()
    node_id = pick_node(window.project, select)
    if node_id is not None:
        window.scene.select_nodes([node_id])
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--select", default=None, help="type id of the node to select")
    args = parser.parse_args(argv)
    settings_dir = tempfile.mkdtemp()
    QCoreApplication.setOrganizationName("NNStudioScreenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    app = QApplication.instance() or QApplication(["screenshots"])
    assert isinstance(app, QApplication)
    if args.files:
        for file in args.files:
            print(shoot(app, None, file, args.out / f"{file.stem}.png", args.select))
    else:
        print(shoot(app, demo_project(), None, args.out / "demo.png", args.select))
        print(shoot(app, Project(), None, args.out / "empty.png", args.select))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
