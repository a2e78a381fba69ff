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
- ``event_loop``: ``loop_holds``, the callbacks that held an event loop (a
  blocking call in an async view), told apart from a busy machine.
- ``api_contract``: the API's documented error answers, asked of a small API
  of the tests' own (every project has it), to compare settings modules.
- ``list_and_create``: an API with a list beside a create on one path, each
  with its own query budget (the code a team writes next, for the guards).
"""
