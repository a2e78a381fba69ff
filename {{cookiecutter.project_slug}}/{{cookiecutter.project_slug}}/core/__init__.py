"""Infrastructure every app shares, one package per practice (apps.py lists them)."""
