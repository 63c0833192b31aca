#!/usr/bin/env python3
"""tradealert (關務快訊) — the one entry point. See README.md or `python run.py --help`."""

import sys

from bot.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
