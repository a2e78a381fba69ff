"""PostgreSQL: connections bounded and budgeted, timeouts stored, migrations released safely.

Configured by config/settings/database.py, database_pooling.py and
migration_policy.py. checks.py refuses unsafe connection settings;
timeouts.py stores the session timeouts; release.py is the deploy's release
step; batching.py walks large tables in bounded memory.
"""
