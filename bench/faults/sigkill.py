"""The server killed with SIGKILL, again and again, while a client adds customers.

The scenario is testkit/faults/sigkill.py;
`python -m bench.faults.sigkill --help` lists the options.
"""

from __future__ import annotations

import sys

from testkit.faults.sigkill import main

if __name__ == "__main__":
    sys.exit(main())
