"""File › Export: the network as PyTorch or ONNX, its training as a PyTorch project, the
canvas as PNG or SVG, the history as CSV; and File › Import weights (weights trained by an
exported PyTorch project).

``install(session, host)`` adds the submenu and the import action to the window's File
menu (above Quit). The work is in plain functions (``render_canvas_png``,
``render_canvas_svg``) and in ``ExportController``, whose questions to the user
(``ask_save_path``, ``ask_open_path``, ``show_error``) tests replace. Plots need nothing
here: every pyqtgraph plot offers "Export..." (PNG, SVG, CSV, …) in its own right-click
menu.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsItem, QGraphicsScene, QMenu, QMessageBox

from nnstudio.ui.host import Host
from nnstudio.ui.session import Session

MARGIN = 24.0          # scene units of white space around the network
PNG_SCALE = 2.0        # pixels per scene unit in PNG exports (sharp on high-DPI screens)
SVG_DPI = 96           # one scene unit = one CSS pixel in the SVG


class CanvasEmptyError(Exception):
    """The canvas holds nothing to draw."""


def canvas_rect(scene: QGraphicsScene, margin: float = MARGIN) -> QRectF:
    """The scene area covering every visible item plus ``margin``; raises when empty."""
    rect = QRectF()
    for item in scene.items():
        if item.isVisible() and item.parentItem() is None:
            rect = rect.united(item.sceneBoundingRect())
    if rect.isEmpty():
        raise CanvasEmptyError("The canvas is empty, so there is no picture to export.")
    return rect.adjusted(-margin, -margin, margin, margin)


def _render(scene: QGraphicsScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    """Draw ``source`` of the scene into ``target`` on a white background, every item
    painted afresh (not from its pixmap cache, so an SVG holds vectors and text)."""
    background = scene.backgroundBrush()
    scene.setBackgroundBrush(QBrush(QColor("white")))
    cached = [(item, item.cacheMode()) for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    for item, _ in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        scene.render(painter, target, source, Qt.AspectRatioMode.IgnoreAspectRatio)
    finally:
        scene.setBackgroundBrush(background)
        for item, mode in cached:
            item.setCacheMode(mode)


def render_canvas_png(scene: QGraphicsScene, path: str | Path,
                      scale: float = PNG_SCALE) -> QSize:
    """Save the canvas as a PNG of ``scale`` pixels per scene unit; returns its size."""
    source = canvas_rect(scene)
    size = QSize(round(source.width() * scale), round(source.height() * scale))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _render(scene, painter, QRectF(image.rect()), source)
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"Cannot write the image {path}.")
    return size


def render_canvas_svg(scene: QGraphicsScene, path: str | Path, title: str = "") -> QSize:
    """Save the canvas as SVG (one SVG unit per scene unit); returns its size."""
    source = canvas_rect(scene)
    size = QSize(round(source.width()), round(source.height()))
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(size)
    generator.setResolution(SVG_DPI)       # Qt writes the size in mm: w px at 96 dpi
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title or "NN Studio network")
    generator.setDescription("A network drawn in NN Studio.")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"Cannot write the drawing {path}.")
    try:
        _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    finally:
        painter.end()
    if not Path(path).is_file():
        raise OSError(f"Cannot write the drawing {path}.")
    return size


class ExportController(QObject):
    """The File › Export commands of one window."""

    def __init__(self, session: Session, host: Host) -> None:
        super().__init__(host.widget())
        self.session = session
        self.host = host
        self.menu: QMenu | None = None
        self.import_action: QAction | None = None

    # --- questions (replaceable in tests) ------------------------------------------------
    def ask_save_path(self, caption: str, file_filter: str, suggested: str) -> Path | None:
        """Ask where to write; None when the user cancels."""
        folder = self.session.base_dir or Path.home()
        name, _ = QFileDialog.getSaveFileName(self.host.widget(), caption,
                                              str(folder / suggested), file_filter)
        return Path(name) if name else None

    def ask_open_path(self, caption: str, file_filter: str) -> Path | None:
        """Ask which file to read; None when the user cancels."""
        folder = self.session.base_dir or Path.home()
        name, _ = QFileDialog.getOpenFileName(self.host.widget(), caption, str(folder),
                                              file_filter)
        return Path(name) if name else None

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self.host.widget(), "Export failed", message)

    # --- commands --------------------------------------------------------------------------
    def export_pytorch(self) -> list[Path]:
        return self._network("pytorch", "Export to PyTorch", "Python script (*.py)", ".py")

    def export_onnx(self) -> list[Path]:
        return self._network("onnx", "Export to ONNX", "ONNX model (*.onnx)", ".onnx")

    def export_torch_project(self) -> list[Path]:
        """A folder with model.py, data.py and train.py (see nnstudio.export.torch_project)."""
        from nnstudio.export import ExportError, export_project

        folder = self.ask_save_path("Export PyTorch training project (a new folder)",
                                    "Folder (*)", self._stem() + "_pytorch")
        if folder is None:
            return []
        session = self.session
        try:
            written = export_project(session.project, "pytorch-project", folder,
                                     base_dir=session.base_dir, project_file=session.path)
        except ExportError as error:
            self.show_error(str(error))
            return []
        self.host.show_status(
            f"Exported the PyTorch training project to {folder} (see its README.md)", 8000)
        return written

    def import_weights(self) -> bool:
        """Weights trained by an exported project into the network (every bagging member)
        as a new current run: ONE undoable step."""
        from nnstudio.export import ExportError
        from nnstudio.export.weights_import import import_edit, read_weights
        from nnstudio.graph.errors import GraphError

        session = self.session
        if session.locked:
            self.show_error("The network is locked while training runs; press Stop first.")
            return False
        path = self.ask_open_path("Import weights", "Trained weights (*.npz)")
        if path is None:
            return False
        try:
            imported = read_weights(session.project, path, base_dir=session.base_dir)
            session.push(import_edit(session.project, imported))
        except (ExportError, GraphError) as error:
            self.show_error(str(error))
            return False
        self.host.show_status(imported.summary(), 8000)
        return True

    def export_history_csv(self) -> list[Path]:
        from nnstudio.export import ExportError, write_history_csv
        from nnstudio.export.project_fields import history_of

        path = self._ask("Export training history", "CSV table (*.csv)", "_history.csv")
        if path is None:
            return []
        try:
            return self._done([write_history_csv(history_of(self.session.project), path)])
        except ExportError as error:
            self.show_error(str(error))
            return []

    def export_png(self) -> list[Path]:
        path = self._ask("Export canvas as PNG", "PNG image (*.png)", ".png")
        return [] if path is None else self._picture(render_canvas_png, path)

    def export_svg(self) -> list[Path]:
        path = self._ask("Export canvas as SVG", "SVG drawing (*.svg)", ".svg")
        return [] if path is None else self._picture(render_canvas_svg, path)

    # --- helpers ---------------------------------------------------------------------------
    def _stem(self) -> str:
        path = self.session.path
        if path is not None:
            return path.stem
        return self.session.project.name.replace(" ", "_").lower() or "network"

    def _ask(self, caption: str, file_filter: str, suffix: str) -> Path | None:
        path = self.ask_save_path(caption, file_filter, self._stem() + suffix)
        if path is not None and not path.suffix:
            path = path.with_suffix(Path(suffix).suffix)
        return path

    def _picture(self, render: Any, path: Path) -> list[Path]:
        try:
            render(self.host.canvas, path)
        except (CanvasEmptyError, OSError) as error:
            self.show_error(str(error))
            return []
        return self._done([path])

    def _network(self, fmt: str, caption: str, file_filter: str, suffix: str) -> list[Path]:
        from nnstudio.export import ExportError, export_project
        from nnstudio.export.project_export import export_note
        from nnstudio.training.prepared import data_signature

        path = self._ask(caption, file_filter, suffix)
        if path is None:
            return []
        session = self.session
        data = session.data_signature or data_signature(session.project, session.base_dir)[0]
        project = session.project
        if project.name.strip() in ("", "Untitled") and session.path is not None:
            project = project.copy()  # saved as my_cnn: the export is my_cnn's too
            project.name = session.path.stem
        try:
            written = self._done(export_project(project, fmt, path, data=data))
        except ExportError as error:
            self.show_error(str(error))
            return []
        note = export_note(session.project, fmt)
        if note:
            self.host.show_status(note, 8000)
        return written

    def _done(self, paths: list[Path]) -> list[Path]:
        names = ", ".join(p.name for p in paths)
        self.host.show_status(f"Exported {names}", 6000)
        return paths


def install(session: Session, host: Host) -> ExportController:
    """Add File › Export ▸ (PyTorch…, ONNX…, PyTorch training project…, Canvas as PNG…,
    Canvas as SVG…, Training history as CSV…) and File › Import weights… to the window's
    File menu, above Quit; returns the controller."""
    controller = ExportController(session, host)
    window = host.widget()
    menu = QMenu("E&xport", window)
    menu.setObjectName("export_menu")
    entries = [("&PyTorch…", controller.export_pytorch,
                "Write the network as a PyTorch script with its weights"),
               ("&ONNX…", controller.export_onnx, "Write the network as an ONNX model"),
               ("PyTorch &training project…", controller.export_torch_project,
                "Write a folder that trains the network in PyTorch as NN Studio does "
                "(CPU, GPU, torchrun)"),
               None,
               ("Canvas as P&NG…", controller.export_png, "Save a picture of the canvas"),
               ("Canvas as &SVG…", controller.export_svg, "Save the canvas as a vector drawing"),
               None,
               ("Training &history as CSV…", controller.export_history_csv,
                "Save the loss and metrics of every epoch as a table")]
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        text, slot, tip = entry
        action = QAction(text, menu)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False, run=slot: run())
        menu.addAction(action)
    file_menu = host.menu("file")
    quit_action = host.action("quit")
    actions = file_menu.actions()
    if quit_action in actions:
        index = actions.index(quit_action)
        before = actions[index - 1] if index > 0 and actions[index - 1].isSeparator() \
            else quit_action
        file_menu.insertMenu(before, menu)
        file_menu.insertSeparator(menu.menuAction())
    else:
        file_menu.addMenu(menu)
    controller.menu = menu
    importer = QAction("Import &weights…", window)
    importer.setObjectName("import_weights_action")
    importer.setStatusTip("Put weights trained by an exported PyTorch project into the network")
    importer.triggered.connect(lambda _=False: controller.import_weights())
    following = _after(file_menu, menu.menuAction())
    if following is None:
        file_menu.addAction(importer)
    else:
        file_menu.insertAction(following, importer)
    session.lock_changed.connect(lambda locked: importer.setEnabled(not locked))
    controller.import_action = importer
    return controller


def _after(menu: QMenu, action: QAction) -> QAction | None:
    """The action following ``action`` in ``menu`` (None at the end)."""
    actions = menu.actions()
    index = actions.index(action)
    return actions[index + 1] if index + 1 < len(actions) else None
