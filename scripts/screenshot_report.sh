#!/usr/bin/env bash
# Render the bundled example's HTML report and take a screenshot of it with headless Chromium
# (Debian: apt-get install chromium), to check by eye that the report and its charts render
# without a network.
#
#   scripts/screenshot_report.sh [PNG] [HEIGHT]
#
# PNG defaults to report.png in a new temporary folder (its path is printed); HEIGHT is the
# window height in pixels (default 7000, enough for the whole example report). Chinese and
# Vietnamese names need a font that has them (Debian: fonts-wqy-microhei or fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"  # PYTHON=path/to/venv/bin/python: one with csaudit's dependencies
out_dir="$(mktemp -d)"
png="${1:-$out_dir/report.png}"
height="${2:-7000}"
html="$out_dir/report.html"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "no Chromium found: install it (Debian: apt-get install chromium)" >&2
    exit 2
fi
# The example fails some standards on purpose (exit 1); anything else is an error.
status=0
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$python" -m csaudit check examples/helpdesk_export.csv \
    --profile stanford --samples 3 --format html > "$html" || status=$?
if [ "$status" -gt 1 ]; then
    echo "csaudit check failed with exit code $status" >&2
    exit 2
fi
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --hide-scrollbars \
    --window-size="1280,$height" --screenshot="$png" "file://$html" 2>/dev/null
echo "$png (from $html)"
