"""``python -m nnstudio``: same as the ``nnstudio`` command."""

import sys

from nnstudio.cli.main import main

sys.exit(main())
