"""`python -m desktop_app`: the same entry point as `emr-assist`; with no arguments it opens
the desktop app (the `emr-assist` console script with no arguments prints its help)."""

import sys

from desktop_app.cli import gui_main, main

if __name__ == "__main__":
    sys.exit(gui_main() if len(sys.argv) == 1 else main())
