"""Fault and load scripts: each starts real `opsportal serve` processes and reports plainly.

    python -m bench.faults.concurrent_add   # 50 concurrent adds of one username
    python -m bench.faults.sigkill          # SIGKILL in a loop while a client adds customers
    python -m bench.faults.sigterm          # SIGTERM with requests in flight
    python -m bench.faults.hostile_cxml     # hostile cXML bodies among real setup requests
    python -m bench.faults.log_flood        # unauthenticated requests with large bodies

SQLite in a temporary folder by default; `--postgres` runs on a throwaway local cluster and
`--database-url postgres://...` on a server of your own. Each prints what it observed and ends
with `result: PASS` (exit 0) or `result: FAIL` and the problems (exit 1). The scenarios live in
testkit/faults/, where tests/test_faults.py runs reduced forms of each.
"""
