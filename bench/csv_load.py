"""Data loading benchmark: CSV readers compared, and MNIST-sized IDX files.

    python bench/csv_load.py [--big] [--repeats 3] [--readers csv-module,loadtxt,pyarrow,nnstudio]

Makes its own files (cached in the temp folder): a 10 MB table (20 float columns and a
class), a 60,000-row MNIST-style CSV (784 pixel columns 0-255 and a label, ~130 MB), and
with ``--big`` tables of ~300 MB and ~1 GB; plus an MNIST-sized NPZ in float64 (read by
``np.load`` + ``astype`` and by ``import_npz``, which streams it into float32) and
MNIST-sized IDX files (60,000 × 28 × 28), raw and gzipped. Each reader loads each file in
its own child process ``--repeats`` times; the table shows median seconds (the load call
only, not the interpreter start) and peak resident memory (``VmHWM``), and the ratios
against ``np.loadtxt`` (NumPy's C reader on the whole file, float32) and against the
Python ``csv`` module reading row by row (how NN Studio read CSV before; once only on files
over 50 MB, skipped over 150 MB, or over 400 MB with ``--big``, as it needs about ten times
the file size in memory), measured in the same run.

Readers: ``csv-module`` (csv.reader + float(), then float32), ``loadtxt`` (np.loadtxt),
``pyarrow`` (pyarrow.csv.read_csv, its default threads; only when pyarrow is installed —
it is not a dependency of NN Studio), ``nnstudio`` (``import_csv``: strict checks, line
numbers, progress and cancel, float32 straight away).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "nnstudio-bench-data"
MB = 2**20

READERS = {
    "csv-module": """
        import csv
        def load(path):
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            body = rows[1:]
            return np.array([[float(c) for c in row] for row in body]).astype(np.float32)
    """,
    "loadtxt": """
        def load(path):
            return np.loadtxt(path, delimiter=",", dtype=np.float32, skiprows=1, comments=None)
    """,
    "pyarrow": """
        import pyarrow.csv as pc
        def load(path):
            table = pc.read_csv(path)
            return np.column_stack([c.to_numpy().astype(np.float32) for c in table.columns])
    """,
    "nnstudio": """
        from nnstudio.training.datasets import import_csv
        def load(path):
            return import_csv(path).x
    """,
    "npz-numpy": """
        def load(path):
            with np.load(path) as data:
                return data["X"].astype(np.float32)
    """,
    "nnstudio-npz": """
        from nnstudio.training.datasets import import_npz
        def load(path):
            return import_npz(path).x
    """,
    "nnstudio-idx": """
        from nnstudio.training.datasets import import_idx
        def load(path):
            return import_idx(path, path.replace("images-idx3", "labels-idx1")).x
    """,
}

CHILD = """
import json, sys, time
import numpy as np
{reader}
start = time.perf_counter()
array = load(sys.argv[1])
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "peak": peak, "shape": list(array.shape)}}))
"""


def _table_lines(rng: np.random.Generator, rows: int, kind: str) -> str:
    if kind == "mnist":
        pixels = rng.integers(0, 256, size=(rows, 784))
        pixels[pixels < 140] = 0  # MNIST is mostly zeros
        labels = rng.integers(0, 10, size=rows)
        body = np.column_stack([pixels, labels]).astype(str)
    else:
        values = np.char.mod("%.6g", rng.normal(size=(rows, 20)))
        labels = rng.integers(0, 5, size=rows).astype(str)
        body = np.column_stack([values, labels])
    return "\n".join(",".join(row) for row in body.tolist()) + "\n"


def make_csv(name: str, kind: str, target_bytes: int | None = None, rows: int | None = None
             ) -> Path:
    """A CSV of about ``target_bytes`` (blocks of 5,000 rows repeated) or of ``rows`` rows."""
    path = CACHE / f"{name}.csv"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    columns = 784 if kind == "mnist" else 20
    header = ",".join(f"x{i}" for i in range(columns)) + ",label\n"
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as stream:
        stream.write(header)
        if rows is not None:
            for start in range(0, rows, 5000):
                stream.write(_table_lines(rng, min(5000, rows - start), kind))
        else:
            block = _table_lines(rng, 5000, kind)
            for _ in range(max(1, int(target_bytes or 0) // len(block))):
                stream.write(block)
    temp.replace(path)
    return path


def make_idx() -> tuple[Path, Path]:
    """MNIST-sized IDX files: 60,000 × 28 × 28 images, raw and gzipped (labels beside)."""
    CACHE.mkdir(exist_ok=True)
    raw = CACHE / "mnist-images-idx3-ubyte"
    packed = CACHE / "mnistgz-images-idx3-ubyte.gz"
    if not packed.exists():
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(60000, 28, 28), dtype=np.uint8)
        images[images < 140] = 0
        labels = rng.integers(0, 10, size=60000, dtype=np.uint8)
        image_bytes = bytes([0, 0, 8, 3]) + np.array([60000, 28, 28], ">u4").tobytes() \
            + images.tobytes()
        label_bytes = bytes([0, 0, 8, 1]) + np.array([60000], ">u4").tobytes() + labels.tobytes()
        raw.write_bytes(image_bytes)
        (CACHE / "mnist-labels-idx1-ubyte").write_bytes(label_bytes)
        (CACHE / "mnistgz-labels-idx1-ubyte.gz").write_bytes(gzip.compress(label_bytes))
        packed.write_bytes(gzip.compress(image_bytes))
    return raw, packed


def make_npz() -> Path:
    """An NPZ of MNIST size in float64: X (60,000, 784), y (60,000,) — 376 MB of X."""
    path = CACHE / "mnist-float64.npz"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        rng = np.random.default_rng(0)
        np.savez(path, X=rng.random((60000, 784)), y=rng.integers(0, 10, 60000))
    return path


def run(reader: str, path: Path) -> dict[str, float]:
    code = CHILD.format(reader=textwrap.dedent(READERS[reader]))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, env=env, timeout=3600, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{reader} on {path.name} failed: {out.stderr[-500:]}")
    return json.loads(out.stdout)


def have_pyarrow() -> bool:
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="add ~300 MB and ~1 GB tables")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--readers", default="csv-module,loadtxt,pyarrow,nnstudio")
    args = parser.parse_args()
    readers = [r for r in args.readers.split(",") if r != "pyarrow" or have_pyarrow()]
    files = [make_csv("table-10mb", "table", target_bytes=10 * MB),
             make_csv("mnist-60000", "mnist", rows=60000)]
    if args.big:
        files += [make_csv("table-300mb", "table", target_bytes=300 * MB),
                  make_csv("table-1gb", "table", target_bytes=1024 * MB)]
    print(f"{'file':>14} {'MB':>6} {'reader':>11} {'seconds':>8} {'peak MB':>8} "
          f"{'x loadtxt':>9} {'x csv-module':>12}")
    for path in files:
        size = path.stat().st_size
        runs: dict[str, list[dict[str, float]]] = {r: [] for r in readers}
        if size > (400 if args.big else 150) * MB:
            runs.pop("csv-module", None)  # ~10 bytes of Python objects per byte of text
        for repeat in range(args.repeats):  # round robin: a noisy spell hits every reader
            for reader in runs:
                if reader == "csv-module" and size > 50 * MB and repeat > 0:
                    continue  # the old reader once is enough on big files
                runs[reader].append(run(reader, path))
        results = {reader: (statistics.median(r["seconds"] for r in done),
                            max(r["peak"] for r in done) / MB) for reader, done in runs.items()}
        base = results.get("loadtxt", (float("nan"), 0))[0]
        old = results.get("csv-module", (float("nan"), 0))[0]
        for reader, (seconds, peak) in results.items():
            print(f"{path.stem:>14} {size / MB:6.0f} {reader:>11} {seconds:8.2f} {peak:8.0f} "
                  f"{seconds / base:9.2f} {seconds / old:12.2f}")
    npz = make_npz()
    for reader in ("npz-numpy", "nnstudio-npz"):
        runs_npz = [run(reader, npz) for _ in range(args.repeats)]
        seconds = statistics.median(r["seconds"] for r in runs_npz)
        peak = max(r["peak"] for r in runs_npz) / MB
        print(f"{'NPZ float64':>14} {npz.stat().st_size / MB:6.0f} {reader:>11} {seconds:8.2f} "
              f"{peak:8.0f}   (x float32 = 60000x784 = 179 MB)")
    raw, packed = make_idx()
    for path in (raw, packed):
        runs = [run("nnstudio-idx", path) for _ in range(args.repeats)]
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak"] for r in runs) / MB
        print(f"{'IDX ' + path.name[:10]:>14} {path.stat().st_size / MB:6.0f} {'nnstudio':>11} "
              f"{seconds:8.2f} {peak:8.0f}   (x float32 = 60000x1x28x28 = 179 MB)")


if __name__ == "__main__":
    main()
