"""A flood of unauthenticated cXML requests with large bodies; the database's growth printed.

The scenario is testkit/faults/log_flood.py;
`python -m bench.faults.log_flood --help` lists the options.
"""

from __future__ import annotations

import sys

from testkit.faults.log_flood import main

if __name__ == "__main__":
    sys.exit(main())
