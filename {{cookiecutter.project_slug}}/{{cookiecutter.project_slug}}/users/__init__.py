"""Users and their API keys: the project's own user model from the first migration."""
