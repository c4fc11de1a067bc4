#!/usr/bin/env python
"""Django's command-line utility; `cairn` (cairn/cli.py) wraps the same commands."""

import sys

if __name__ == "__main__":
    from cairn.cli import run_django

    run_django(sys.argv)
