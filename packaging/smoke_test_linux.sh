#!/usr/bin/env bash
# Build the Linux onedir bundle from packaging/granite_dictate.spec and run the frozen-app
# smoke test (tests/packaging/test_bundle.py) against it, printing build time and size.
#
#   packaging/smoke_test_linux.sh [OUT_DIR]      # default: build/bundle-smoke
#
# Needs the dev environment (make venv) and apt libportaudio2, espeak-ng. Offline.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
OUT="${1:-build/bundle-smoke}"
rm -rf "$OUT"
mkdir -p "$OUT"

start=$(date +%s)
"$PY" -m PyInstaller packaging/granite_dictate.spec --noconfirm --log-level WARN \
  --distpath "$OUT/dist" --workpath "$OUT/work"
end=$(date +%s)
echo "build: $((end - start)) s, size: $(du -sh "$OUT/dist/GraniteDictate" | cut -f1)"

GRANITE_DICTATE_BUNDLE="$PWD/$OUT/dist/GraniteDictate" QT_QPA_PLATFORM=offscreen \
  "$PY" -m pytest -q -rA tests/packaging/test_bundle.py
