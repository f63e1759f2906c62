#!/usr/bin/env bash
# Build the one-folder app and smoke-test the frozen binary: `check` and
# `train --epochs 1` on an example, and the GUI starting offscreen and quitting by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
app=dist/nnstudio/nnstudio
example=examples/xor.nnstudio
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- frozen: check"
"$app" check "$example"
echo "-- frozen: train --epochs 1"
"$app" train "$example" --epochs 1 --save "$tmp/xor-trained.nnstudio"
test -s "$tmp/xor-trained.nnstudio"
echo "-- frozen: GUI starts offscreen and quits on its own"
QT_QPA_PLATFORM=offscreen NNSTUDIO_QUIT_AFTER_MS=3000 NNSTUDIO_RECOVERY_DIR="$tmp/recovery" \
    timeout 120 "$app" "$example"
echo "-- frozen: GUI trains xor in its training child process"
QT_QPA_PLATFORM=offscreen NNSTUDIO_TRAIN_ON_START=1 NNSTUDIO_QUIT_AFTER_MS=15000 \
    NNSTUDIO_RECOVERY_DIR="$tmp/recovery" \
    timeout 120 "$app" "$example" 2> "$tmp/gui-train.log" || { cat "$tmp/gui-train.log"; exit 1; }
grep -q "training ended (completed" "$tmp/gui-train.log" || { cat "$tmp/gui-train.log"; exit 1; }
echo "smoke test passed"
