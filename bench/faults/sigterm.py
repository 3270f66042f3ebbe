"""SIGTERM with requests in flight: they finish, new ones are refused, the process exits 0.

The scenario is testkit/faults/sigterm.py;
`python -m bench.faults.sigterm --help` lists the options.
"""

from __future__ import annotations

import sys

from testkit.faults.sigterm import main

if __name__ == "__main__":
    sys.exit(main())
