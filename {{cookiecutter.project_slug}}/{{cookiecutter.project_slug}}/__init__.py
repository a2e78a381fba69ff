"""The service's own code: shared infrastructure in core, one package per domain."""
