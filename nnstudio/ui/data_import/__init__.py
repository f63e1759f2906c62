"""Data import in the app: the Import data dialog, File › New from Data… and
File › Load Data File… (see ``install``)."""

from nnstudio.training.new_project import project_from_spec
from nnstudio.ui.data_import.actions import DataImportController, ImportChoice, install
from nnstudio.ui.data_import.dialog import ImportDataDialog

__all__ = [
    "DataImportController",
    "ImportChoice",
    "ImportDataDialog",
    "install",
    "project_from_spec",
]
