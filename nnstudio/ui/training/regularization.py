"""The Training panel's "Regularization (all layers)" group: one penalty and strength for
every weighted node and one switch for every Dropout, each change ONE undo step that
stores the choice and writes it into the nodes. A node set otherwise overrides the choice
(the group counts them; the inspector says so on the node)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
)

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project_edits import AnyEdit, ProjectCompound
from nnstudio.graph.model.regularization import (
    DEFAULT_STRENGTH,
    PENALTIES,
    choice_edits,
    common_penalty,
    dropout_edits,
    dropout_nodes,
    overrides_penalty,
    penalty_edits,
    stored_choice,
    weighted_nodes,
)
from nnstudio.ui.session import Session
from nnstudio.ui.training.spin import CompactDoubleSpinBox, two_field_grid

PENALTY_TITLES = {"none": "none", "l1": "L1", "l2": "L2", "l1_l2": "L1+L2"}


class RegularizationGroup(QGroupBox):
    """Penalty, strength and the dropout switch for the whole network."""

    def __init__(self, session: Session, show_message: Callable[[str], None]) -> None:
        super().__init__("Regularization (all layers)")
        self.session = session
        self._show_message = show_message
        self._loading = False
        grid = two_field_grid(self)
        self.penalty = QComboBox()
        self.penalty.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.penalty.setMinimumContentsLength(4)
        self.penalty.setObjectName("global_penalty")
        for name in PENALTIES:
            self.penalty.addItem(PENALTY_TITLES[name], name)
        self.penalty.setToolTip("Weight penalty of every Neuron, Dense and Conv2D: L1 pushes "
                                "weights to exactly 0, L2 keeps them small")
        self.strength = CompactDoubleSpinBox()
        self.strength.setObjectName("global_strength")
        self.strength.setDecimals(6)
        self.strength.setRange(0.0, 10.0)
        self.strength.setSingleStep(0.0001)
        self.strength.setKeyboardTracking(False)
        self.strength.setMinimumWidth(58)
        self.strength.setToolTip("Factor of the penalty added to the loss (e.g. 0.0001)")
        self.dropout = QCheckBox("Dropout on in every Dropout layer")
        self.dropout.setObjectName("global_dropout")
        self.dropout.setToolTip("Off: every Dropout passes its input on unchanged (their "
                                "drop probabilities are kept)")
        self.note = QLabel("")
        self.note.setObjectName("regularization_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a5a00;")
        grid.addWidget(QLabel("Penalty"), 0, 0)
        grid.addWidget(self.penalty, 0, 1)
        self.strength_label = QLabel("Strength")
        grid.addWidget(self.strength_label, 0, 2)
        grid.addWidget(self.strength, 0, 3)
        grid.addWidget(self.dropout, 1, 0, 1, 4)
        grid.addWidget(self.note, 2, 0, 1, 4)
        self.penalty.currentIndexChanged.connect(lambda _i: self._penalty_changed())
        self.strength.valueChanged.connect(lambda _v: self._penalty_changed())
        self.dropout.clicked.connect(self._dropout_clicked)
        session.edited.connect(self.reload)
        session.project_replaced.connect(self.reload)
        self.reload()

    # --- reading -------------------------------------------------------------------------
    def choice(self) -> tuple[str, float]:
        """The network-wide penalty: the stored choice, else what most layers use."""
        stored = stored_choice(self.session.project.ui)
        if "penalty" in stored:
            return str(stored["penalty"]), float(stored.get("strength", DEFAULT_STRENGTH))
        common = common_penalty(self.session.project.graph)
        if common is None or common[0] == "none":
            return "none", DEFAULT_STRENGTH
        return common

    def reload(self) -> None:
        """Show the project's choice, how many layers override it, the dropout state."""
        doc = self.session.project.graph
        kind, strength = self.choice()
        self._loading = True
        try:
            self.penalty.setCurrentIndex(max(self.penalty.findData(kind), 0))
            self.strength.setValue(strength)
            drops = dropout_nodes(doc)
            active = [bool(n.params.get("active", True)) for n in drops]
            self.dropout.setTristate(len(set(active)) > 1)
            if len(set(active)) > 1:
                self.dropout.setCheckState(Qt.CheckState.PartiallyChecked)
            else:
                self.dropout.setCheckState(Qt.CheckState.Checked if all(active) else
                                           Qt.CheckState.Unchecked)
            self.dropout.setEnabled(bool(drops))
            if not drops:
                self.dropout.setToolTip("The network has no Dropout layer.")
        finally:
            self._loading = False
        off = kind == "none"
        self.strength.setEnabled(not off)
        self.strength_label.setEnabled(not off)
        self.strength.setToolTip("No penalty is chosen, so there is no strength to set."
                                 if off else "Factor of the penalty added to the loss "
                                             "(e.g. 0.0001)")
        weighted = weighted_nodes(doc)
        own = [n for n in weighted if overrides_penalty(n, kind, strength)]
        notes = []
        if own:
            notes.append(f"{len(own)} of {len(weighted)} layers set their own penalty, "
                         "which overrides this.")
        if len(set(active)) > 1:
            notes.append(f"{active.count(True)} of {len(active)} Dropout layers are on.")
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    # --- changing ------------------------------------------------------------------------
    def _push(self, edits: list[AnyEdit], text: str) -> None:
        try:
            self.session.push(ProjectCompound(tuple(edits), text), text)
        except GraphError as error:
            self._show_message(str(error))
            self.reload()

    def _penalty_changed(self) -> None:
        if self._loading:
            return
        kind = str(self.penalty.currentData())
        strength = float(self.strength.value())
        project = self.session.project
        edits: list[AnyEdit] = [*choice_edits(project.ui, penalty=kind, strength=strength),
                                *penalty_edits(project.graph, kind, strength)]
        if not edits:
            return
        shown = "no penalty" if kind == "none" else f"{PENALTY_TITLES[kind]} {strength:g}"
        self._push(edits, f"Set {shown} for all layers")

    def _dropout_clicked(self, _checked: Any = None) -> None:
        if self._loading:
            return
        on = self.dropout.checkState() != Qt.CheckState.Unchecked
        self.dropout.setTristate(False)
        project = self.session.project
        edits: list[AnyEdit] = [*choice_edits(project.ui, dropout=on),
                                *dropout_edits(project.graph, on)]
        if not edits:
            return
        self._push(edits, f"Dropout {'on' if on else 'off'} in all layers")
