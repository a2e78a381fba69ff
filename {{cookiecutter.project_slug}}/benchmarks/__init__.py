"""Benchmarks of the example app: real servers on 127.0.0.1 under bounded load.

Run them with `make bench`; README.md says what each measures, its targets and
the figures measured so far. Numbers are printed, never asserted.
"""
