#!/usr/bin/env bash
# Build the standalone NN Studio app with PyInstaller.
#   bash packaging/build.sh            -> dist/nnstudio/nnstudio  (one folder)
#   bash packaging/build.sh --onefile  -> dist/nnstudio-onefile/nnstudio (one file)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip show pyinstaller >/dev/null 2>&1 || python3 -m pip install --quiet pyinstaller
if [ "${1:-}" = "--onefile" ]; then
    NNSTUDIO_ONEFILE=1 python3 -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist/nnstudio-onefile --workpath build/pyinstaller-onefile packaging/nnstudio.spec
    ls -l dist/nnstudio-onefile/nnstudio
else
    python3 -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller packaging/nnstudio.spec
    du -sh dist/nnstudio
fi
