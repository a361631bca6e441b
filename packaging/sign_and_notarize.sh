#!/usr/bin/env bash
# Build, sign, notarize and package Granite Dictate for macOS (Apple Silicon) as a DMG.
#
# Required environment:
#   DEVELOPER_ID    codesigning identity, e.g. "Developer ID Application: Jane Doe (ABCDE12345)"
#   TEAM_ID         Apple Developer team ID, e.g. ABCDE12345
#   NOTARY_PROFILE  keychain profile created once with
#                   xcrun notarytool store-credentials "$NOTARY_PROFILE" --apple-id ... --team-id "$TEAM_ID"
# Optional:
#   SKIP_BUILD=1    sign the existing dist/"Granite Dictate.app" instead of rebuilding
#   SKIP_NOTARIZE=1 sign and package only (local testing; Gatekeeper will warn)
#   PYTHON          Python with the locked dependencies (default: .venv/bin/python)
#
# Output: dist/GraniteDictate-<version>-arm64.dmg (notarized and stapled).
set -euo pipefail

cd "$(dirname "$0")/.."
[[ "$(uname -s)" == "Darwin" ]] || { echo "macOS only." >&2; exit 2; }
[[ "$(uname -m)" == "arm64" ]] || { echo "Build on Apple Silicon (arm64)." >&2; exit 2; }
: "${DEVELOPER_ID:?set DEVELOPER_ID to your 'Developer ID Application: …' identity}"
: "${TEAM_ID:?set TEAM_ID to your Apple Developer team ID}"
if [[ "${SKIP_NOTARIZE:-0}" != "1" ]]; then
  : "${NOTARY_PROFILE:?set NOTARY_PROFILE to a notarytool keychain profile}"
fi

PYTHON="${PYTHON:-.venv/bin/python}"
APP_NAME="Granite Dictate"
APP="dist/${APP_NAME}.app"
ENTITLEMENTS="packaging/entitlements.plist"
VERSION="$("$PYTHON" -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
DMG="dist/GraniteDictate-${VERSION}-arm64.dmg"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  echo "==> Building ${APP_NAME} ${VERSION}"
  # mlx/mlx-metal built for the app's macOS floor (Info.plist), not for this machine's macOS.
  "$PYTHON" packaging/mlx_wheels.py
  "$PYTHON" packaging/make_icons.py --check || "$PYTHON" packaging/make_icons.py
  "$PYTHON" -m PyInstaller packaging/granite_dictate.spec --noconfirm --clean \
    --distpath dist --workpath build/pyinstaller
fi
[[ -d "$APP" ]] || { echo "$APP not found" >&2; exit 1; }
"$PYTHON" packaging/mlx_wheels.py --check

sign() {  # $@ = extra codesign options, then the path
  codesign --force --timestamp --options runtime --sign "$DEVELOPER_ID" "$@"
}

echo "==> Signing inside-out with hardened runtime: $DEVELOPER_ID"
# Never `codesign --deep` to sign: it re-signs nested code with the app's entitlements and
# skips code in Resources/. Instead: every loose Mach-O file (dylibs, .so extension modules,
# helper executables) outside framework bundles, deepest first, without entitlements; then
# each .framework bundle, deepest first; then the app itself, whose main executable alone gets
# the entitlements. Symlinks are skipped (PyInstaller cross-links Resources and Frameworks).
depth_sorted() {  # NUL-separated paths on stdin -> same, deepest first
  "$PYTHON" -c 'import sys
paths = [p for p in sys.stdin.buffer.read().split(b"\0") if p]
paths.sort(key=lambda p: (-p.count(b"/"), p))
sys.stdout.buffer.write(b"".join(p + b"\0" for p in paths))'
}
find "$APP/Contents" -type f -not -path "*.framework/*" -not -path "$APP/Contents/MacOS/*" -print0 |
  depth_sorted |
  while IFS= read -r -d '' f; do
    if file -b "$f" | grep -q "Mach-O"; then sign "$f"; fi
  done
find "$APP/Contents" -type d -name "*.framework" -print0 |
  depth_sorted |
  while IFS= read -r -d '' fw; do sign "$fw"; done
sign --entitlements "$ENTITLEMENTS" "$APP"

echo "==> Verifying signature"
codesign --verify --deep --strict --verbose=2 "$APP"
codesign -dv "$APP" 2>&1 | grep -q "TeamIdentifier=$TEAM_ID" ||
  { echo "signature is not from team $TEAM_ID" >&2; exit 1; }
codesign -d --entitlements - "$APP" 2>/dev/null | grep -q "com.apple.security.device.audio-input" ||
  { echo "audio-input entitlement missing: recordings would be silent" >&2; exit 1; }

notarize() {  # $1 = file to submit. `submit --wait` exits 0 even for an Invalid submission.
  echo "==> Notarizing $1 (this waits for Apple, usually a few minutes)"
  local out
  out="build/notarytool-$(basename "$1").json"
  mkdir -p build
  xcrun notarytool submit "$1" --keychain-profile "$NOTARY_PROFILE" --wait \
    --output-format json >"$out"
  local status id
  status="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("status", ""))' "$out")"
  id="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id", ""))' "$out")"
  echo "    submission $id: $status"
  if [[ "$status" != "Accepted" ]]; then
    echo "Notarization of $1 was not accepted ($status). Apple's log:" >&2
    [[ -n "$id" ]] && xcrun notarytool log "$id" --keychain-profile "$NOTARY_PROFILE" >&2
    exit 1
  fi
}

if [[ "${SKIP_NOTARIZE:-0}" != "1" ]]; then
  ZIP="build/GraniteDictate-notarize.zip"
  mkdir -p build
  ditto -c -k --keepParent "$APP" "$ZIP"
  notarize "$ZIP"
  xcrun stapler staple "$APP"
  xcrun stapler validate "$APP"
  spctl --assess --type execute --verbose "$APP"
fi

echo "==> Creating $DMG"
STAGING="$(mktemp -d)"
trap 'rm -rf "$STAGING"' EXIT
# ditto keeps symlinks, extended attributes and the stapled ticket exactly.
ditto "$APP" "$STAGING/${APP_NAME}.app"
ln -s /Applications "$STAGING/Applications"
rm -f "$DMG"
hdiutil create -volname "$APP_NAME" -srcfolder "$STAGING" -fs HFS+ -format UDZO -ov "$DMG"
codesign --force --timestamp --sign "$DEVELOPER_ID" "$DMG"

if [[ "${SKIP_NOTARIZE:-0}" != "1" ]]; then
  notarize "$DMG"
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
fi
echo "==> Done: $DMG"
