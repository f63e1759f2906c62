#!/usr/bin/env bash
# Build the one-folder app and smoke-test the frozen binary on its bundled examples:
# `examples`, `check` and `train --epochs 1`, the GUI starting offscreen on its welcome
# example and quitting by itself, and the GUI training in its child process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
app=dist/nnstudio/nnstudio
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- frozen: the examples are inside the bundle"
example=$("$app" examples xor)
case "$example" in
    "$PWD/dist/nnstudio/"*) echo "$example" ;;
    *) echo "the frozen app's example is not in the bundle: $example"; exit 1 ;;
esac
test -d "$(dirname "$example")/../resources/icons"
echo "-- frozen: check"
"$app" check "$example"
echo "-- frozen: train --epochs 1"
"$app" train "$example" --epochs 1 --save "$tmp/xor-trained.nnstudio"
test -s "$tmp/xor-trained.nnstudio"
echo "-- frozen: GUI starts offscreen on its welcome example and quits on its own"
QT_QPA_PLATFORM=offscreen NNSTUDIO_QUIT_AFTER_MS=3000 NNSTUDIO_RECOVERY_DIR="$tmp/recovery" \
    timeout 120 "$app" 2> "$tmp/gui.log" || { cat "$tmp/gui.log"; exit 1; }
grep "the window showed: Chocolate" "$tmp/gui.log" || { cat "$tmp/gui.log"; exit 1; }
echo "-- frozen: GUI trains xor in its training child process"
QT_QPA_PLATFORM=offscreen NNSTUDIO_TRAIN_ON_START=1 NNSTUDIO_QUIT_AFTER_MS=15000 \
    NNSTUDIO_RECOVERY_DIR="$tmp/recovery" \
    timeout 120 "$app" "$example" 2> "$tmp/gui-train.log" || { cat "$tmp/gui-train.log"; exit 1; }
grep -q "training ended (completed" "$tmp/gui-train.log" || { cat "$tmp/gui-train.log"; exit 1; }
echo "-- frozen: no packages from the build environment that NN Studio does not use"
for stray in yaml charset_normalizer; do
    if find dist/nnstudio -path "*/$stray*" | grep -q .; then
        echo "the frozen app bundles $stray"; exit 1
    fi
done
strays=$(python3 - "$PWD/build/pyinstaller/nnstudio/PYZ-00.pyz" <<'EOF'
import sys
from PyInstaller.archive.readers import ZlibArchiveReader
names = {name.split(".")[0] for name in ZlibArchiveReader(sys.argv[1]).toc}
print(" ".join(sorted(names & {"yaml", "charset_normalizer"})))
EOF
)
[ -z "$strays" ] || { echo "the frozen app's archive holds: $strays"; exit 1; }
echo "smoke test passed"
