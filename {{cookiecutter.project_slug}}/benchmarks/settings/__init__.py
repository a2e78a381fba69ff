"""Settings variants the benchmarks compare against the configured ones."""
