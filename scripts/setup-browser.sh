#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the console's browser tests
# (Playwright drives it through executable_path; no browser is downloaded), and
# installs axe-core from the npm registry into var/node/ (git ignores var/) for
# the accessibility checks. Tests never download anything: without these they skip
# and say why.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
AXE_VERSION="4.10.2"

install_axe() {
    local target="$ROOT/var/node"
    if [ -f "$target/node_modules/axe-core/axe.min.js" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "setup-browser: npm is missing; the accessibility checks will skip" >&2
        return 0
    fi
    mkdir -p "$target"
    echo "setup-browser: installing axe-core $AXE_VERSION into var/node ..." >&2
    npm install --prefix "$target" --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION"
}

install_chromium() {
    if command -v chromium >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup-browser: chromium is missing and this is not root; browser tests will skip" >&2
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup-browser: no apt-get here; install Chromium to run the browser tests" >&2
        return 0
    fi
    echo "setup-browser: installing Debian's chromium ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

install_chromium
install_axe
