"""Infrastructure shared by every app: health, checks, cache, HTTP and batching helpers."""
