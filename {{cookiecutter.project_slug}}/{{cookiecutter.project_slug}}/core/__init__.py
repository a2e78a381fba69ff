"""Infrastructure shared by every app: health, checks, cache and HTTP helpers, test tools."""
