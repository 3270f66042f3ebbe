"""Fifty concurrent addPunchoutCustomer of one username, in mixed case and padding.

The scenario is testkit/faults/concurrent_add.py;
`python -m bench.faults.concurrent_add --help` lists the options.
"""

from __future__ import annotations

import sys

from testkit.faults.concurrent_add import main

if __name__ == "__main__":
    sys.exit(main())
