"""Entry point of the frozen app: the same command line as the ``nnstudio`` script."""

import sys

from nnstudio.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
