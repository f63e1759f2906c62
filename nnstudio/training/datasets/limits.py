"""Declared bounds for data read from files: what NN Studio accepts, in one place.

Every reader checks these (and the memory free now, ``safe_io.memory_shortfall``) before it
allocates, so a small hostile file cannot ask for gigabytes.
"""

from __future__ import annotations

#: Most classes a classification target may have (a label of 1e9 is refused, not one-hot).
MAX_CLASSES = 10_000
#: Largest data file read (CSV text, NPZ archive, IDX file) and largest array in it.
MAX_DATA_FILE_BYTES = 8 * 2**30
MAX_ARRAY_BYTES = 8 * 2**30
#: Most columns of a CSV table and longest CSV line.
MAX_CSV_COLUMNS = 100_000
MAX_CSV_LINE_BYTES = 32 * 2**20
#: Most arrays in an NPZ archive and longest name list (feature or class names).
MAX_NPZ_MEMBERS = 64
MAX_NAMES = 1_000_000
