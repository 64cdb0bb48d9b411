#!/usr/bin/env bash
# Render an analyze stage's report.html with headless Chromium (Debian: apt-get install -y chromium)
# and save a full-page PNG, to check that the page renders.
# Usage: scripts/screenshot_report.sh ANALYZE_DIR/report.html [OUT.png] [WIDTH] [HEIGHT]
set -euo pipefail
if [[ $# -lt 1 ]]; then
    echo "usage: $0 REPORT.html [OUT.png] [WIDTH] [HEIGHT]" >&2
    exit 2
fi
report="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="${2:-${report%.html}.png}"
width="${3:-1400}"
height="${4:-6000}"
[[ -f "$report" ]] || { echo "error: $report: no such file; run analyze first" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$browser" ]] || { echo "error: chromium not found; install it with: apt-get install -y chromium" >&2; exit 1; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$width,$height" --screenshot="$out" "file://$report" >/dev/null 2>&1
[[ -s "$out" ]] || { echo "error: chromium wrote no screenshot to $out" >&2; exit 1; }
echo "screenshot: $out"
