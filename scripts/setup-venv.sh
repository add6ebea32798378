#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs Tabik with pinned versions.
# Re-running is fast: nothing happens when pyproject.toml and constraints.txt
# are unchanged since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.tabik-installed"

find_python() {
    if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
        command -v python3.10; return 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        if PYENV_VERSION=3.10 python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
            PYENV_VERSION=3.10 python3.10 -c 'import sys; print(sys.executable)'; return 0
        fi
        local prefix
        if prefix=$(pyenv prefix 3.10 2>/dev/null) && [ -x "$prefix/bin/python3.10" ]; then
            echo "$prefix/bin/python3.10"; return 0
        fi
        # pyenv may know a full 3.10.x version without a "3.10" alias.
        local version
        version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -1 || true)
        if [ -n "$version" ] && prefix=$(pyenv prefix "$version" 2>/dev/null) && [ -x "$prefix/bin/python3.10" ]; then
            echo "$prefix/bin/python3.10"; return 0
        fi
    fi
    return 1
}

fingerprint() {
    cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1
}

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(fingerprint)" ]; then
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    if ! PYTHON=$(find_python); then
        cat >&2 <<'MSG'
Tabik needs Python 3.10 (Rasa 3.6 runs on Python 3.8-3.10 only) and none was found.
Install it, then run the command again. For example:
  - pyenv:  pyenv install 3.10 && pyenv local 3.10   (or make python3.10 available on PATH)
  - Debian/Ubuntu: sudo apt install python3.10 python3.10-venv (deadsnakes PPA on Ubuntu)
  - macOS:  brew install python@3.10
MSG
        exit 1
    fi
    echo "Creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

echo "Installing Tabik and its pinned dependencies into $VENV (first time takes a few minutes)"
"$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[dev]"
fingerprint > "$STAMP"
echo "$VENV is ready."
