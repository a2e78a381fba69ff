"""Benchmarks: real servers on 127.0.0.1 under bounded load. Run them with `make bench`.

Numbers are printed, never asserted: timings belong here, not in tests.
"""
