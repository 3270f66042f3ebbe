"""Hostile cXML bodies, twenty at a time, among real PunchOutSetupRequests.

The scenario is testkit/faults/hostile_cxml.py;
`python -m bench.faults.hostile_cxml --help` lists the options.
"""

from __future__ import annotations

import sys

from testkit.faults.hostile_cxml import main

if __name__ == "__main__":
    sys.exit(main())
