"""What every request reports about itself (see core/middleware.py)."""

# Queries one request may run before it is logged as a warning. A list page
# built with select_related/prefetch_related needs a handful, whatever its size.
QUERY_BUDGET = 20
