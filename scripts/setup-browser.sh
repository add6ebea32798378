#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the console's browser tests
# (Playwright drives it through executable_path; no browser is downloaded).
# Without root and without Chromium, the browser tests skip and say why.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-browser: chromium is missing and this is not root; browser tests will skip" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-browser: no apt-get here; install Chromium to run the browser tests" >&2
    exit 0
fi
echo "setup-browser: installing Debian's chromium ..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
