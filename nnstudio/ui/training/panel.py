"""The training settings panel: dataset, optimizer, early stopping, bagging, seed, buttons.

Every change is one project edit pushed through the session (consecutive changes of one
field merge into one undo step); the panel re-reads the project whenever the session says
the settings changed (undo, redo, another panel). Values are stored in
``project.training`` (the TrainingSettings dict), ``project.dataset`` (the dataset spec)
and ``project.seed``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import project_events as pe
from nnstudio.graph.model.fields import SEED, TRAINING_FIELDS, Field
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import AnyEdit, SetField, SetSetting
from nnstudio.training.applicability import inapplicable
from nnstudio.training.dataset_choice import builtin_choice
from nnstudio.training.datasets import BUILTIN
from nnstudio.training.datasets.builtin import MAX_NOISE, MAX_SAMPLES, MIN_SAMPLES
from nnstudio.training.datasets.describe import FILE_SOURCES, describe_file_spec, spec_file_names
from nnstudio.training.settings import (
    OPTIMIZER_NAMES,
    SCALINGS,
    SCHEDULES,
    TrainingSettings,
)
from nnstudio.ui.session import Session
from nnstudio.ui.training.regularization import RegularizationGroup
from nnstudio.ui.training.spin import CompactDoubleSpinBox, two_field_grid

DEFAULTS = TrainingSettings()
Path = tuple[str, ...]  # ("training", "lr") / ("dataset", "params", "noise") / ("seed",)
_WATCHED = ("training", "dataset", "seed")


def read_path(project: Project, path: Path) -> Any:
    """The value at ``path`` in the project (None if absent)."""
    value: Any = getattr(project, path[0])
    for key in path[1:]:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def setting_edit(path: Path, value: Any) -> AnyEdit:
    """The project edit that stores ``value`` at ``path``."""
    return SetField(path[0], value) if len(path) == 1 else SetSetting(path, value)
PLACEHOLDER = "Choose a dataset…"
_DESCENT_HELP = {
    "batch": "batch gradient descent: one step per epoch on all training samples",
    "stochastic": "stochastic gradient descent: one step per sample",
    "mini-batch": "mini-batch gradient descent: one step per group of samples",
}


FIELD_WIDTH = 58
"""Least width (px) of a number field: two fields and their labels share a 280 px row."""


def _double(minimum: float, maximum: float, decimals: int, step: float) -> QDoubleSpinBox:
    box = CompactDoubleSpinBox()
    box.setMinimumWidth(FIELD_WIDTH)
    box.setDecimals(decimals)  # before the range: the range is rounded to the decimals
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    return box


def _int(minimum: int, maximum: int) -> QSpinBox:
    box = QSpinBox()
    box.setMinimumWidth(FIELD_WIDTH)
    box.setRange(minimum, maximum)
    box.setKeyboardTracking(False)
    return box


def _field_box(field: Field, decimals: int = 3, step: float = 0.05
               ) -> QDoubleSpinBox | QSpinBox:
    """A spin box over a declared field's whole range (the range a project file may hold)."""
    assert field.minimum is not None and field.maximum is not None
    if field.kind == "int":
        return _int(int(field.minimum), int(field.maximum))
    return _double(field.minimum, field.maximum, decimals, step)


def _setting(name: str, decimals: int = 3, step: float = 0.05) -> QDoubleSpinBox | QSpinBox:
    return _field_box(TRAINING_FIELDS[name], decimals, step)


def _show_number(box: QDoubleSpinBox | QSpinBox, value: Any) -> None:
    """Show a number from a file in ``box`` (clamped to its range; not a number: its
    minimum). The file's value itself is checked when the data are made."""
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        value = box.minimum()
    value = min(max(value, box.minimum()), box.maximum())
    if isinstance(box, QSpinBox):
        box.setValue(int(value))
    else:
        box.setValue(float(value))


class TrainingPanel(QWidget):
    """Settings and run buttons; ``settings_changed`` after every change (incl. undo)."""

    settings_changed = Signal()
    dataset_changed = Signal()
    load_data_requested = Signal()
    """The "Load data file…" button was pressed (File › Load Data File… handles it)."""

    def __init__(self, session: Session, actions: Mapping[str, QAction]) -> None:
        super().__init__()
        self.session = session
        self._loading = False
        self._error_shown = False
        self._fields: dict[Path, QWidget] = {}
        self._tips: dict[Path, str] = {}
        self._captions: dict[QWidget, QLabel] = {}
        self._param_boxes: dict[str, QDoubleSpinBox | QSpinBox] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addLayout(self._buttons(actions))
        self.message = QLabel("")
        self.message.setObjectName("training_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.body = body
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self._dataset_group())
        column.addWidget(self._optimizer_group())
        self.regularization = RegularizationGroup(session, self.show_message)
        column.addWidget(self.regularization)
        column.addWidget(self._stopping_group())
        column.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        session.project_event.connect(self._on_project_event)
        session.project_replaced.connect(self.reload)
        self.reload()

    def _project(self) -> Project:
        return self.session.project

    def _push(self, edit: AnyEdit, text: str, merge_key: str | None = None) -> None:
        try:
            self.session.push(edit, text, merge_key)
        except GraphError as error:
            self.show_message(str(error))
            self.reload()

    @Slot(object)
    def _on_project_event(self, event: object) -> None:
        if isinstance(event, pe.FieldChanged) and event.name in _WATCHED:
            self._after_change()
            if event.name == "dataset":
                self.dataset_changed.emit()

    # --- building ------------------------------------------------------------------------
    def _buttons(self, actions: Mapping[str, QAction]) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(3)
        # the two widest texts ("Continue training", "Reset weights") share the first
        # column, so both rows fit a 300 px panel without eliding any of them
        names = ["train", "pause", "stop", "reset", "step_batch", "step_epoch"]
        self.buttons: dict[str, QToolButton] = {}
        for i, name in enumerate(names):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            if name == "train":  # the whole text here ("Continue training")
                action = actions[name]
                action.changed.connect(lambda b=button, a=action: b.setText(a.text()))
                button.setText(action.text())
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(button.sizePolicy().horizontalPolicy().Expanding,
                                 button.sizePolicy().verticalPolicy())
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[name] = button
        return grid

    def _bind(self, grid: QGridLayout, row: int, col: int, label: str, path: Path,
              widget: QWidget, tip: str = "", short: str | None = None) -> None:
        """A field at (``row``, ``col`` of 2) of ``grid``: its label (``short`` if given)
        then the field; ``col`` -1 spans the whole row. ``label`` names the undo step;
        long explanations go to the tooltip."""
        self._fields[path] = widget
        if tip:
            widget.setToolTip(tip)
            self._tips[path] = tip
        if isinstance(widget, QDoubleSpinBox | QSpinBox):
            widget.valueChanged.connect(lambda v, p=path, t=label: self._changed(p, v, t))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda v, p=path, t=label: self._changed(p, bool(v), t))
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(
                lambda _i, p=path, w=widget, t=label: self._changed(p, w.currentData(), t))
        self._place(grid, row, col, short if short is not None else label, widget)

    def _place(self, grid: QGridLayout, row: int, col: int, label: str,
               widget: QWidget) -> None:
        if isinstance(widget, QCheckBox):  # its own text says what it is
            grid.addWidget(widget, row, 0 if col < 0 else 2 * col, 1, 4 if col < 0 else 2)
            return
        caption = QLabel(label)
        caption.setBuddy(widget)
        self._captions[widget] = caption
        if col < 0:
            grid.addWidget(caption, row, 0)
            grid.addWidget(widget, row, 1, 1, 3)
        else:
            grid.addWidget(caption, row, 2 * col)
            grid.addWidget(widget, row, 2 * col + 1)

    def _grid(self, group: QGroupBox) -> QGridLayout:
        """Two short fields per row (label, field, label, field)."""
        return two_field_grid(group)

    def _combo(self, items: list[tuple[str, Any]]) -> QComboBox:
        box = QComboBox()
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(4)
        for text, data in items:
            box.addItem(text, data)
        return box

    def _dataset_group(self) -> QGroupBox:
        group = QGroupBox("Data")
        grid = self._grid(group)
        self.data_grid = grid
        self.dataset_combo = self._combo([(f"{e.title}  ({name})", name)
                                          for name, e in BUILTIN.items()])
        self.dataset_combo.setPlaceholderText(PLACEHOLDER)
        self.dataset_combo.setCurrentIndex(-1)
        self.dataset_combo.activated.connect(self._dataset_chosen)
        self._place(grid, 0, -1, "Dataset", self.dataset_combo)
        self.load_data_button = QToolButton()
        self.load_data_button.setObjectName("load_data_button")
        self.load_data_button.setText("Load data file…")
        self.load_data_button.setToolTip("Train on a CSV, NPZ or IDX file instead (undoable)")
        self.load_data_button.clicked.connect(lambda _=False: self.load_data_requested.emit())
        grid.addWidget(self.load_data_button, 1, 0, 1, 2)
        self.dataset_note = QLabel("")
        self.dataset_note.setObjectName("dataset_note")
        self.dataset_note.setWordWrap(True)
        self.dataset_note.setStyleSheet("color: #5a6270;")
        self.dataset_note.setSizePolicy(QSizePolicy.Policy.Preferred,
                                        QSizePolicy.Policy.MinimumExpanding)
        grid.addWidget(self.dataset_note, 2, 0, 1, 4)
        self.n_samples = _int(MIN_SAMPLES, MAX_SAMPLES)
        self.noise = _double(0.0, MAX_NOISE, 3, 0.01)
        self._param_boxes = {"n_samples": self.n_samples, "noise": self.noise}
        for key, box in self._param_boxes.items():
            box.valueChanged.connect(lambda v, k=key: self._param_changed(k, v))
        self.n_samples.setToolTip("Number of generated samples")
        self.noise.setToolTip("Standard deviation of the noise added to the samples")
        self._place(grid, 3, 0, "Samples", self.n_samples)
        self._place(grid, 3, 1, "Noise", self.noise)
        self._bind(grid, 4, 0, "Validation share", ("training", "val_fraction"),
                   _setting("val_fraction", 2), "Share of the samples held out for validation",
                   "Validation")
        self._bind(grid, 4, 1, "Test share", ("training", "test_fraction"),
                   _setting("test_fraction", 2), "Share of the samples held out for the final "
                   "test", "Test")
        self._bind(grid, 5, -1, "Scaling", ("training", "scaling"),
                   self._combo([(s, s) for s in SCALINGS]),
                   "How the inputs are rescaled, fitted on the training split only "
                   "(none keeps the data's own units)")
        self._bind(grid, 1, 1, "Seed", ("seed",), _field_box(SEED),
                   "Same seed, same data split and same initial weights")
        return group

    def _optimizer_group(self) -> QGroupBox:
        group = QGroupBox("Optimizer")
        grid = self._grid(group)
        self._bind(grid, 0, 0, "Optimizer", ("training", "optimizer"),
                   self._combo([(n.upper() if n == "sgd" else n.capitalize().replace(
                       "Rmsprop", "RMSprop"), n) for n in OPTIMIZER_NAMES]), short="Method")
        self._bind(grid, 0, 1, "Learning rate", ("training", "lr"),
                   _setting("lr", 6, 0.01), "Step size of gradient descent", "LR")
        self._bind(grid, 1, 0, "Momentum", ("training", "momentum"), _setting("momentum"),
                   "Share of the previous step added to the next (SGD, RMSprop)")
        self._bind(grid, 1, 1, "Nesterov", ("training", "nesterov"), QCheckBox("Nesterov"),
                   "Nesterov's look-ahead momentum: the gradient is taken one momentum step "
                   "ahead")
        batch = _setting("batch_size")
        batch.setSpecialValueText("all")
        self._bind(grid, 2, 0, "Batch size", ("training", "batch_size"), batch,
                   "0 = the whole training set (batch), 1 = stochastic, else mini-batch",
                   "Batch")
        self._bind(grid, 2, 1, "Epochs", ("training", "epochs"), _setting("epochs"))
        self.descent_label = QLabel("")
        self.descent_label.setObjectName("descent_kind")
        self.descent_label.setWordWrap(True)
        self.descent_label.setStyleSheet("color: #5a6270;")
        grid.addWidget(self.descent_label, 3, 0, 1, 4)
        self._bind(grid, 4, -1, "LR schedule", ("training", "schedule"),
                   self._combo([(s, s) for s in SCHEDULES]),
                   "How the learning rate changes over the epochs", "Schedule")
        self._bind(grid, 5, 0, "Schedule step", ("training", "step_size"),
                   _setting("step_size"), "Epochs between two decays (step schedule)", "Step")
        self._bind(grid, 5, 1, "Factor γ", ("training", "gamma"), _setting("gamma"),
                   "The learning rate is multiplied by γ at each decay", "γ")
        return group

    def _stopping_group(self) -> QGroupBox:
        group = QGroupBox("Early stopping and bagging")
        grid = self._grid(group)
        self._bind(grid, 0, 0, "Early stopping", ("training", "early_stopping"),
                   QCheckBox("Early stopping"),
                   "Stop when the validation loss stops improving")
        self._bind(grid, 0, 1, "Patience", ("training", "patience"), _setting("patience"),
                   "Epochs without improvement before stopping")
        self._bind(grid, 1, -1, "Restore best", ("training", "restore_best"),
                   QCheckBox("Restore the best weights"),
                   "After stopping, keep the weights of the epoch with the best validation loss")
        self._bind(grid, 2, -1, "Bagging members", ("training", "bagging_members"),
                   _setting("bagging_members"), "1 = no bagging; more trains each member on a "
                   "bootstrap sample", "Bagging")
        return group

    # --- project <-> widgets -------------------------------------------------------------
    def reload(self) -> None:
        """Show the project's values (after load, undo, redo)."""
        project = self._project()
        self._loading = True
        try:
            for path, widget in self._fields.items():
                value = read_path(project, path)
                if value is None and path[0] == "training":
                    value = getattr(DEFAULTS, path[1])
                if isinstance(widget, QDoubleSpinBox | QSpinBox):
                    _show_number(widget, value)
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(bool(value))
                elif isinstance(widget, QComboBox):
                    widget.setCurrentIndex(max(widget.findData(value), 0))
            self._load_dataset(project.dataset)
        finally:
            self._loading = False
        self._update_descent()
        self._update_applicability()
        self.regularization.reload()

    def _update_applicability(self) -> None:
        """Settings that do nothing with the others as they are: off, saying why."""
        idle = inapplicable(self._project().training)
        for path, widget in self._fields.items():
            reason = idle.get(path[-1]) if path[0] == "training" else None
            widget.setEnabled(reason is None)
            tip = self._tips.get(path, "")
            widget.setToolTip(f"{reason} {tip}".strip() if reason else tip)
            caption = self._captions.get(widget)
            if caption is not None:
                caption.setEnabled(reason is None)
                caption.setToolTip(widget.toolTip())

    def _load_dataset(self, spec: Mapping[str, Any]) -> None:
        self._show_file_item(spec)
        name = spec.get("name") if spec.get("source") == "builtin" else None
        index = self.dataset_combo.findData(name) if name else -1
        is_file = spec.get("source") in FILE_SOURCES
        self.dataset_combo.setEnabled(index >= 0 or not spec or is_file)
        if index >= 0:
            self.dataset_combo.setCurrentIndex(index)
            entry = BUILTIN[str(name)]
            params = dict(spec.get("params") or {})
            for key, box in self._param_boxes.items():
                if key in entry.defaults:
                    _show_number(box, params.get(key, entry.defaults[key]))
            self._show_params([k for k in self._param_boxes if k in entry.defaults])
            fixed = "" if entry.defaults else " Its size is fixed: it has no settings."
            self.dataset_note.setWordWrap(True)
            self.dataset_note.setText(entry.description + fixed)
        else:
            if not is_file:
                self.dataset_combo.setCurrentIndex(-1)  # shows the placeholder
            self._show_params([])
            self.dataset_note.setWordWrap(not is_file)  # file: short explicit lines
            self.dataset_note.setText(f"Data file {describe_file_spec(spec)}" if is_file
                                      else "No dataset chosen yet: pick one above or load "
                                           "a data file.")

    def _show_params(self, keys: list[str]) -> None:
        """Show the generator settings in ``keys``; hide the others."""
        for key, box in self._param_boxes.items():
            box.setVisible(key in keys)
            self._captions[box].setVisible(key in keys)
            box.setEnabled(key in keys)

    def _show_file_item(self, spec: Mapping[str, Any]) -> None:
        """While the dataset is a file, the combo's last item names it (and is selected)."""
        combo = self.dataset_combo
        last = combo.count() - 1
        if last >= 0 and combo.itemData(last) is None:
            combo.removeItem(last)
        names = spec_file_names(spec)
        if names:
            combo.addItem(f"File: {' + '.join(names)}", None)
            combo.setCurrentIndex(combo.count() - 1)

    def _changed(self, path: Path, value: Any, label: str) -> None:
        if self._loading or read_path(self._project(), path) == value:
            return
        self._push(setting_edit(path, value), f"Set {label.lower()}", "/".join(path))

    def _param_changed(self, key: str, value: float) -> None:
        if self._loading:
            return
        path = ("dataset", "params", key)
        self._push(SetSetting(path, value), f"Set dataset {key.replace('_', ' ')}",
                   "/".join(path))

    def _dataset_chosen(self, _index: int) -> None:
        """The user picked an item (``activated``: also when it is the shown one)."""
        if self._loading:
            return
        name = self.dataset_combo.currentData()
        project = self._project()
        if name is None:  # the placeholder or the item naming the current data file
            return
        spec = {"source": "builtin", "name": name, "params": {}}
        if project.dataset == spec:
            return
        edit = builtin_choice(project, str(name))
        self._push(edit, edit.text)

    def _after_change(self) -> None:
        self.reload()
        if self._error_shown:  # "Cannot train…" was about the settings before this change
            self.show_message("")
        self.settings_changed.emit()

    def _update_descent(self) -> None:
        box = self._fields[("training", "batch_size")]
        assert isinstance(box, QSpinBox)
        size = box.value()
        kind = "batch" if size == 0 else "stochastic" if size == 1 else "mini-batch"
        self.descent_label.setText(f"<b>{kind}</b> — {_DESCENT_HELP[kind]}")

    def set_running(self, running: bool) -> None:
        """Settings are read when a run starts; they cannot change during it."""
        self.body.setEnabled(not running)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        bad = any(w in text for w in ("diverged", "failed", "Cannot"))
        self._error_shown = bad
        self.message.setStyleSheet("color: #b3261e; font-weight: 600;" if bad else "")
