"""Data import in the app: the Import data dialog, File › New from Data… and
File › Load Data File… (see ``install_data_menu``)."""

from nnstudio.ui.data_import.actions import (
    DataImportController,
    DatasetCommand,
    ImportChoice,
    install_data_menu,
)
from nnstudio.ui.data_import.dialog import ImportDataDialog
from nnstudio.ui.data_import.project import project_from_spec

__all__ = [
    "DataImportController",
    "DatasetCommand",
    "ImportChoice",
    "ImportDataDialog",
    "install_data_menu",
    "project_from_spec",
]
