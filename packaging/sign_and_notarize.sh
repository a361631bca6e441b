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
  "$PYTHON" packaging/make_icons.py --check || "$PYTHON" packaging/make_icons.py
  "$PYTHON" -m PyInstaller packaging/granite_dictate.spec --noconfirm --clean \
    --distpath dist --workpath build/pyinstaller
fi
[[ -d "$APP" ]] || { echo "$APP not found" >&2; exit 1; }

echo "==> Signing with hardened runtime: $DEVELOPER_ID"
# Inside-out: every Mach-O file first (dylibs, .so extension modules, Qt plugins and
# frameworks), then the app. --deep alone is not enough for notarization: it skips code in
# Resources/ and does not apply entitlements to nested executables.
find "$APP/Contents" -type f \( -name "*.dylib" -o -name "*.so" -o -perm -u+x \) -print0 |
  while IFS= read -r -d '' f; do
    if file -b "$f" | grep -q "Mach-O"; then
      codesign --force --timestamp --options runtime --sign "$DEVELOPER_ID" "$f"
    fi
  done
# Qt frameworks are bundles: sign each as a whole after its contents.
find "$APP/Contents" -type d -name "*.framework" -print0 |
  while IFS= read -r -d '' fw; do
    codesign --force --timestamp --options runtime --sign "$DEVELOPER_ID" "$fw"
  done
codesign --force --deep --timestamp --options runtime \
  --entitlements "$ENTITLEMENTS" --sign "$DEVELOPER_ID" "$APP"

echo "==> Verifying signature"
codesign --verify --deep --strict --verbose=2 "$APP"
codesign -dv "$APP" 2>&1 | grep -q "TeamIdentifier=$TEAM_ID" ||
  { echo "signature is not from team $TEAM_ID" >&2; exit 1; }
codesign -d --entitlements - "$APP" 2>/dev/null | grep -q "com.apple.security.device.audio-input" ||
  { echo "audio-input entitlement missing: recordings would be silent" >&2; exit 1; }

notarize() {  # $1 = file to submit
  echo "==> Notarizing $1 (this waits for Apple, usually a few minutes)"
  xcrun notarytool submit "$1" --keychain-profile "$NOTARY_PROFILE" --wait
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
cp -R "$APP" "$STAGING/"
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
