"""Entry point of the frozen app.

`emr-assist ARGS` is the command line, and opens the desktop app when run without arguments;
`emr-assist-gui [FILES…]` (the windowed executable the menu entry starts) always opens the desktop app,
with the files the desktop passed queued.
"""

import multiprocessing
import sys
from pathlib import Path

from desktop_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    arguments = sys.argv[1:]
    if not arguments or Path(sys.executable).stem.lower().endswith("-gui"):
        arguments = ["gui", *arguments]
    sys.exit(main(arguments))
