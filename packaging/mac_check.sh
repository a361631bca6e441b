#!/usr/bin/env bash
# The first run on a real Mac: build the app, check the bundle, run its self-test with the
# real model, and leave everything to send back in build/mac-check/ (and a zip of it).
#
#   packaging/mac_check.sh                 # build + checks + self-test (downloads the model once)
#   SKIP_BUILD=1 packaging/mac_check.sh    # check an existing dist/"Granite Dictate.app"
#   MODEL=/path/or/repo packaging/mac_check.sh
#
# Needs: Apple Silicon, macOS 14+, Xcode command-line tools, Python 3.12 (make venv).
# Does not sign with a Developer ID or notarize (that is sign_and_notarize.sh); the build is
# ad-hoc signed by PyInstaller, which is enough to run it here.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
[[ "$(uname -s)" == "Darwin" ]] || { echo "macOS only." >&2; exit 2; }
PYTHON="${PYTHON:-.venv/bin/python}"
APP="dist/Granite Dictate.app"
EXE="$APP/Contents/MacOS/GraniteDictate"
OUT="build/mac-check"
MODEL="${MODEL:-mlx-community/granite-4.0-1b-speech-8bit}"
rm -rf "$OUT"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
FAILED=0

note() { echo "$*" | tee -a "$SUMMARY"; }
check() {  # check NAME COMMAND...: PASS/FAIL line, output kept in $OUT/NAME.log
  local name="$1"; shift
  if "$@" >"$OUT/$name.log" 2>&1; then note "PASS  $name"; else note "FAIL  $name (see $name.log)"; FAILED=1; fi
}

note "Granite Dictate Mac check, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
note "macOS $(sw_vers -productVersion) ($(sw_vers -buildVersion)), $(uname -m), $(sysctl -n machdep.cpu.brand_string), $(($(sysctl -n hw.memsize) / 1073741824)) GB"
note "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  check venv make venv
  check mlx-wheels "$PYTHON" packaging/mlx_wheels.py      # the macOS 14 mlx / mlx-metal wheels
  check build "$PYTHON" -m PyInstaller packaging/granite_dictate.spec --noconfirm --clean \
    --distpath dist --workpath build/pyinstaller
fi
[[ -x "$EXE" ]] || { note "FAIL  no app at $APP"; exit 1; }
note "bundle size $(du -sh "$APP" | cut -f1)"

# Signature, entitlements, Info.plist.
check codesign-verify codesign --verify --deep --strict --verbose=2 "$APP"
codesign -d --entitlements - --xml "$APP" >"$OUT/entitlements.plist" 2>"$OUT/entitlements.log"
check entitlement-audio-input grep -q "com.apple.security.device.audio-input" "$OUT/entitlements.plist"
cp "$APP/Contents/Info.plist" "$OUT/Info.plist"
check plist-floor-14 test "$(/usr/libexec/PlistBuddy -c 'Print :LSMinimumSystemVersion' "$APP/Contents/Info.plist")" = "14.0"
check plist-microphone /usr/libexec/PlistBuddy -c 'Print :NSMicrophoneUsageDescription' "$APP/Contents/Info.plist"
check plist-bundle-id test "$(/usr/libexec/PlistBuddy -c 'Print :CFBundleIdentifier' "$APP/Contents/Info.plist")" = "com.granitedictate.app"
# The Metal library beside the libmlx the app loads (Contents/Frameworks), one real copy.
check metallib-beside-libmlx test -e "$APP/Contents/Frameworks/mlx.metallib"
find "$APP" -name "*.metallib" -exec ls -l {} \; >"$OUT/metallib-files.txt"
check metallib-one-copy test "$(find "$APP" -name '*.metallib' -type f | wc -l | tr -d ' ')" = "1"
check notices-in-bundle test -s "$APP/Contents/Resources/THIRD_PARTY_NOTICES.md"
spctl --assess --type execute --verbose "$APP" >"$OUT/spctl.log" 2>&1 || true  # ad-hoc: expected to be rejected

# The bundle's own self-test with the real model (first run downloads ~3 GB into the HF cache).
note "self-test with $MODEL (this can take a few minutes) ..."
"$EXE" --self-test --model "$MODEL" --json "$OUT/self-test.json" 2>"$OUT/self-test.stderr" |
  tee "$OUT/self-test.txt"
if [[ "${PIPESTATUS[0]}" == "0" ]]; then note "PASS  self-test"; else note "FAIL  self-test"; FAILED=1; fi
cp "$HOME/Library/Logs/Granite Dictate/"*.log "$OUT/" 2>/dev/null || true

(cd build && rm -f mac-check.zip && ditto -c -k --keepParent mac-check mac-check.zip)
note "Done. Send back build/mac-check.zip (everything is also in $OUT/)."
exit "$FAILED"
