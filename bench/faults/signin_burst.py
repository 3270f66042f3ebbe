"""Concurrent sign-ins against the sign-in limits, and the latency of other requests meanwhile.

The scenario is testkit/faults/signin_burst.py;
`python -m bench.faults.signin_burst --help` lists the options.
"""

from __future__ import annotations

import sys

from testkit.faults.signin_burst import main

if __name__ == "__main__":
    sys.exit(main())
