"""``python -m console``: the staff console on CONSOLE_PORT (default 5080)."""

from __future__ import annotations

import sys

from console.main import main

if __name__ == "__main__":
    sys.exit(main())
