"""BENCHMARK ONLY: settings, routes and baseline views the benchmarks serve."""
