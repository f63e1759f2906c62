"""Entry point of the frozen app: the same command line as the ``nnstudio`` script.

``multiprocessing.freeze_support()`` comes first: training runs in a child process that
``multiprocessing`` starts by running this same executable with its own arguments; in
that child it runs the training loop and exits without reaching the application.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from nnstudio.cli.main import main

    sys.exit(main())
