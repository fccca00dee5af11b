#!/usr/bin/env python3
"""Gazette's entry point: `python build.py --help` lists what it can do."""

import sys

from gazette.commands.cli import main

if __name__ == "__main__":
    sys.exit(main())
