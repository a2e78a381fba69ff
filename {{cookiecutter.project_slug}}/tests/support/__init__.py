"""What only the tests use; nothing in the service's package imports from here.

- ``queries``: ``assert_queries_flat``, the query-count test every list and
  detail view gets (see the README, "Adding an endpoint").
- ``loopback``: real servers on 127.0.0.1 (scripted HTTP answers, a listener
  that never answers) and a closed port.
- ``processes``: a child Python process with this test run's environment.
- ``environments``: a throwaway production environment (the Makefile's
  ``check``, the tests and the benchmarks use it).
- ``broker``: this run's own queue on the real broker.
- ``cassettes``: vcrpy recorders with the secrets scrubbed.
"""
