"""The convolution explainer: one input channel of a sample with its padding, the kernel
stepping over it, each output cell as its sum of products with the real numbers, the
output map filling in, and the output-size arithmetic with this node's numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.registry import node_type
from nnstudio.graph.model.shapes import format_shape, infer_shapes
from nnstudio.training.conv_explain import Explanation, cell_equation, explain_layer
from nnstudio.training.explain_data import (
    ExplainError,
    TrainingData,
    node_input_output,
    training_data,
)
from nnstudio.ui.explain.conv_grid import NumberGrid

EXPLAINED_TYPES = ("layer.conv2d", "layer.maxpool2d", "layer.avgpool2d")
CONTROLS_WIDTH = 215
DEFAULT_SPEED = 4  # cells per second
KIND_WORDS = {"conv": "convolution", "max": "max pooling", "avg": "average pooling"}


def explains(type_id: str) -> bool:
    """Whether a node of this type can be opened in the explainer."""
    return type_id in EXPLAINED_TYPES


class ConvExplainerPanel(QWidget):
    """See the module docstring. ``project()`` and ``base_dir()`` read the open project."""

    def __init__(self, project: Callable[[], Project],
                 base_dir: Callable[[], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conv_explainer")
        self._project = project
        self._base_dir = base_dir
        self.node_id: str | None = None
        self.data: TrainingData | None = None
        self.explanation: Explanation | None = None
        self.engine_output: np.ndarray | None = None
        self.position = 0
        self._pad = np.zeros((0, 0), dtype=bool)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        self.header = QLabel()
        self.header.setObjectName("conv_header")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        layout.addLayout(self._choices())
        main = QHBoxLayout()
        self.input_grid = NumberGrid()
        self.window_grid = NumberGrid()
        self.kernel_grid = NumberGrid()
        self.output_grid = NumberGrid()
        self.output_grid.cell_clicked.connect(self.go_to_cell)
        self.input_grid.setObjectName("conv_input_grid")
        self.window_grid.setObjectName("conv_window_grid")
        self.kernel_grid.setObjectName("conv_kernel_grid")
        self.output_grid.setObjectName("conv_output_grid")
        middle = QVBoxLayout()
        middle.addWidget(self.window_grid)
        middle.addWidget(self.kernel_grid)
        main.addWidget(self.input_grid, 4)
        main.addLayout(middle, 2)
        main.addWidget(self.output_grid, 4)
        main.addWidget(self._player())
        layout.addLayout(main, 1)
        self.equation = QLabel()
        self.equation.setObjectName("conv_equation")
        self.equation.setWordWrap(True)
        self.equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.equation.setMinimumHeight(44)
        self.equation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.equation)
        self._show_message("Right-click a Conv2D or pooling node on the canvas and choose "
                           "“Explain…”, or use the button in its inspector.")

    # --- building ------------------------------------------------------------------------
    def _choices(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.sample_spin = self._spin("conv_sample")
        self.sample_label = QLabel()
        self.channel_spin = self._spin("conv_channel")
        self.channel_label = QLabel("  Input channel")
        self.filter_spin = self._spin("conv_filter")
        self.filter_label = QLabel("Filter")
        for widget in (QLabel("Sample"), self.sample_spin, self.sample_label,
                       self.channel_label, self.channel_spin,
                       self.filter_label, self.filter_spin):
            row.addWidget(widget)
        row.addStretch(1)
        for spin in (self.sample_spin, self.channel_spin, self.filter_spin):
            spin.valueChanged.connect(lambda _v: self._recompute(keep_position=True))
        return row

    def _player(self) -> QWidget:
        box = QWidget()
        box.setFixedWidth(CONTROLS_WIDTH)
        column = QVBoxLayout(box)
        column.setContentsMargins(4, 0, 0, 0)
        column.setSpacing(4)
        style = self.style()
        icon = QStyle.StandardPixmap
        self.reset_button = self._button("Start", "conv_reset", "Start again: no cell computed",
                                         style.standardIcon(icon.SP_MediaSkipBackward))
        self.back_button = self._button("Back", "conv_back", "One cell back",
                                        style.standardIcon(icon.SP_MediaSeekBackward))
        self.step_button = self._button("Step", "conv_step", "Compute the next cell",
                                        style.standardIcon(icon.SP_MediaSeekForward))
        self.play_button = self._button("Play", "conv_play", "Step automatically",
                                        style.standardIcon(icon.SP_MediaPlay))
        self.play_button.setCheckable(True)
        self.end_button = self._button("All", "conv_end", "Compute every cell",
                                       style.standardIcon(icon.SP_MediaSkipForward))
        grid = QGridLayout()
        grid.setSpacing(3)
        for i, button in enumerate((self.reset_button, self.back_button, self.step_button,
                                    self.play_button, self.end_button)):
            grid.addWidget(button, i // 3, i % 3)
        column.addLayout(grid)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setObjectName("conv_speed")
        self.speed_slider.setRange(1, 30)
        self.speed_slider.setValue(DEFAULT_SPEED)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(58)
        speed_row.addWidget(self.speed_slider, 1)
        speed_row.addWidget(self.speed_label)
        column.addLayout(speed_row)
        self.arithmetic = QLabel()
        self.arithmetic.setObjectName("conv_arithmetic")
        self.arithmetic.setWordWrap(True)
        self.arithmetic.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.arithmetic.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.arithmetic, 1)
        self.reset_button.clicked.connect(lambda: self.go_to(0))
        self.back_button.clicked.connect(lambda: self.go_to(self.position - 1))
        self.step_button.clicked.connect(self.step)
        self.end_button.clicked.connect(lambda: self.go_to(self.cell_count()))
        self.play_button.toggled.connect(self._on_play)
        self.speed_slider.valueChanged.connect(self._on_speed)
        self._on_speed(self.speed_slider.value())
        return box

    @staticmethod
    def _spin(name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(1, 1)
        spin.setKeyboardTracking(False)
        return spin

    @staticmethod
    def _button(text: str, name: str, tip: str, icon: QIcon) -> QPushButton:
        button = QPushButton(icon, text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    # --- what is explained ---------------------------------------------------------------
    def explain(self, node_id: str) -> bool:
        """Open ``node_id`` (a Conv2D or pooling node) at its first output cell; False and a
        sentence in the panel if it cannot be explained."""
        self.node_id = node_id
        self.data = None
        for spin in (self.sample_spin, self.channel_spin, self.filter_spin):
            spin.blockSignals(True)
            spin.setValue(1)
            spin.blockSignals(False)
        return self.reload(position=1)

    def reload(self, position: int | None = None) -> bool:
        """Read the project again (after an edit or a training run); playing goes on."""
        project = self._project()
        node = project.graph.nodes.get(self.node_id or "")
        if node is None or not explains(node.type_id):
            self._clear("The explained node is no longer in the network.")
            return False
        try:
            self.data = training_data(project, self._base_dir())
        except ExplainError as error:
            self._clear(str(error))
            return False
        n = len(self.data.x)
        self.sample_spin.setRange(1, n)
        return self._recompute(keep_position=position is None, position=position)

    def _recompute(self, keep_position: bool, position: int | None = None) -> bool:
        data, node_id = self.data, self.node_id
        if data is None or node_id is None:
            return False
        project = self._project()
        try:
            sample = self.sample_spin.value() - 1
            x_in, out = node_input_output(data.plan, project.graph, node_id, data.x[sample])
        except ExplainError as error:
            self._clear(str(error))
            return False
        layer = data.plan.layers[node_id]
        conv = project.graph.nodes[node_id].type_id == "layer.conv2d"
        self.channel_spin.setEnabled(x_in.shape[0] > 1)
        self.channel_spin.setVisible(conv)
        self.channel_label.setVisible(conv)
        self.channel_spin.setRange(1, x_in.shape[0])
        self.filter_label.setText("  Filter" if conv else "  Channel")
        self.filter_spin.setRange(1, out.shape[0])
        channel = self.channel_spin.value() - 1 if conv else self.filter_spin.value() - 1
        exp = explain_layer(layer, x_in, channel, self.filter_spin.value() - 1)
        self.explanation = exp
        self.engine_output = out[exp.out_channel]
        label = data.y[sample]
        self.sample_label.setText(f"label {int(np.ravel(label)[0])}"
                                  if np.ravel(label).size == 1 else "")
        self._show_header(project)
        self._pad = self._padding_mask(exp)
        self.input_grid.set_values(exp.padded, self._pad)
        self.output_grid.set_values(exp.output)
        self.kernel_grid.setVisible(exp.kernel is not None)
        if exp.kernel is not None:
            self.kernel_grid.set_values(exp.kernel)
        count = self.cell_count()
        target = self.position if keep_position else (position or 0)
        self.go_to(min(max(target, 0), count))
        return True

    @staticmethod
    def _padding_mask(exp: Explanation) -> np.ndarray:
        rows, cols = exp.padded.shape
        return np.array([[exp.is_padding(i, j) for j in range(cols)] for i in range(rows)])

    def _show_header(self, project: Project) -> None:
        exp = self.explanation
        assert exp is not None and self.node_id is not None
        node = project.graph.nodes[self.node_id]
        geo = exp.geometry
        kh, kw = geo.kernel
        words = KIND_WORDS[exp.kind]
        if exp.kind == "conv":
            what = (f"{self.filter_spin.maximum()} filters of {kh}×{kw} over "
                    f"{exp.in_channels} channel{'s' if exp.in_channels > 1 else ''}")
        else:
            what = f"{kh}×{kw} windows on each of {exp.in_channels} channels"
        stride = f"stride {geo.stride[0]}"
        if node.params.get("stride") == 0:
            stride += " (0 in the node means: the kernel size)"
        self.header.setText(
            f"<b>{node.title}</b> ({node_type(node.type_id).title}): {words}, {what}, "
            f"{stride}, padding {geo.padding[0]}.")
        pad = f" + padding {geo.padding[0]}" if geo.padding[0] else ""
        self.input_grid.caption = (f"input channel {exp.channel + 1} "
                                   f"({geo.size[0]}×{geo.size[1]}{pad})")
        self.window_grid.caption = "window"
        self.kernel_grid.caption = f"× filter {exp.out_channel + 1}"
        self.output_grid.caption = (f"output of filter {exp.out_channel + 1}"
                                    if exp.kind == "conv" else
                                    f"output channel {exp.out_channel + 1}")
        shapes = infer_shapes(project.graph)
        shape = shapes.get(PortRef(self.node_id, "out"))
        height, width = geo.lines()
        engine = self.engine_output
        diff = float(np.max(np.abs(exp.output - engine))) if engine is not None else 0.0
        lines = ["<b>Output size</b> = (W − K + 2P) / S + 1",
                 *(line.replace(": ", ":<br>", 1) for line in (height, width))]
        if shape is not None:
            lines.append(f"= {format_shape(shape)} on the canvas edge")
        lines.append(f"<span style='color:#2e7d32'>The engine's {words} gives this same "
                     f"map (largest difference {diff:.1g}).</span>")
        self.arithmetic.setText("<div style='font-size:8pt'>" + "<br>".join(lines) + "</div>")

    def _clear(self, sentence: str) -> None:
        self._on_play(False)
        self.explanation = None
        self.engine_output = None
        for grid in (self.input_grid, self.window_grid, self.kernel_grid, self.output_grid):
            grid.set_values(np.zeros((0, 0)))
            grid.caption = ""
        self._show_message(sentence)

    def _show_message(self, sentence: str) -> None:
        self.header.setText(sentence)
        self.arithmetic.setText("")
        self.equation.setText("")
        for widget in (self.step_button, self.back_button, self.reset_button,
                       self.end_button, self.play_button):
            widget.setEnabled(False)

    # --- stepping ------------------------------------------------------------------------
    def cell_count(self) -> int:
        exp = self.explanation
        return 0 if exp is None else len(exp.cells)

    def step(self) -> None:
        self.go_to(self.position + 1)

    def go_to_cell(self, row: int, col: int) -> None:
        exp = self.explanation
        if exp is not None:
            self.go_to(row * exp.output.shape[1] + col + 1)

    def go_to(self, position: int) -> None:
        """Show ``position`` computed cells (the last of them is the current one)."""
        exp = self.explanation
        if exp is None:
            return
        count = len(exp.cells)
        self.position = max(0, min(position, count))
        filled = np.zeros(exp.output.shape, dtype=bool)
        filled.reshape(-1)[:self.position] = True
        for widget in (self.step_button, self.end_button, self.play_button):
            widget.setEnabled(self.position < count)
        self.back_button.setEnabled(self.position > 0)
        self.reset_button.setEnabled(self.position > 0)
        if self.position == 0:
            self.input_grid.set_state(None, None)
            self.output_grid.set_state(None, None, filled)
            self.window_grid.set_values(np.zeros((0, 0)))
            self.equation.setText("Press Step to compute the first output cell.")
            return
        cell = exp.cells[self.position - 1]
        kh, kw = cell.window.shape
        window = (cell.top, cell.left, kh, kw)
        winner = None if cell.winner is None else (cell.top + cell.winner[0],
                                                   cell.left + cell.winner[1])
        self.input_grid.set_state(window, winner)
        self.output_grid.set_state(None, (cell.row, cell.col), filled)
        self.window_grid.set_values(
            cell.window, self._pad[cell.top:cell.top + kh, cell.left:cell.left + kw],
            scale=self.input_grid.scale)
        self.window_grid.set_state(None, cell.winner)
        lines = cell_equation(exp, cell)
        where = f"out[{cell.row + 1}, {cell.col + 1}]"
        self.equation.setText(f"<b>{where}</b> = " + "<br>".join(lines))

    def _on_play(self, playing: bool) -> None:
        if self.play_button.isChecked() != playing:
            self.play_button.setChecked(playing)
            return
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            if self.position >= self.cell_count():
                self.go_to(0)
            self._timer.start()
        else:
            self._timer.stop()

    @Slot()
    def _tick(self) -> None:
        self.step()
        if self.position >= self.cell_count():
            self._on_play(False)

    def _on_speed(self, cells_per_second: int) -> None:
        self._timer.setInterval(int(1000 / cells_per_second))
        self.speed_label.setText(f"{cells_per_second} cell{'s' if cells_per_second > 1 else ''}/s")
