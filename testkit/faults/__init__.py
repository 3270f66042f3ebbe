"""The fault and load scenarios: each starts real `opsportal serve` processes and reports
plainly.

    concurrent_add   50 concurrent adds of one username
    sigkill          SIGKILL in a loop while a client adds customers
    sigterm          SIGTERM with requests in flight
    hostile_cxml     hostile cXML bodies among real setup requests
    signin_burst     concurrent sign-ins against the sign-in limits
    log_flood        unauthenticated cXML requests with large bodies: the database's growth

Each module's `run(database_url, ...)` returns a Report (what it observed, and the problems);
its `main()` is the command line, which bench/faults/ runs. tests/test_faults.py runs reduced
forms of each (tests/test_signin_burst.py runs signin_burst's).
"""
