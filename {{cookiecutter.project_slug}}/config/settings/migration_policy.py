"""How a deploy runs migrations: once, on a session of their own, under their own timeouts.

Why a policy apart from the application's: the application's sessions carry a
statement timeout (config/settings/database.py), which would cancel a long
migration halfway through a deploy; and a migration that waits for a lock
(an ALTER TABLE behind a long transaction) makes every query that arrives
after it wait too, so it must give up quickly and try again instead.
``manage.py release`` (``make release`` locally; in a deploy, compose's
``release`` service, or your platform's pre-deploy job running
``python manage.py release``) applies migrations on a direct connection whose
session starts with these values, and retries when a lock was not granted in
time: an atomic migration is its own transaction, so a retry starts again at
the one that gave up. A non-atomic one (``atomic = False``, such as
``AddIndexConcurrently``) is not rolled back: see release.py.
Of DATABASE_MIGRATION_URL only the host, port, name, user and password are
read; its query parameters (``sslmode`` ...) are ignored, so set such options
another way (libpq's environment, such as ``PGSSLMODE``).
"""

from config import env
from config.env import Variable

env.declare(
    {
        "DATABASE_MIGRATION_URL": Variable(
            "postgres://USER:PASSWORD@HOST:PORT/NAME of PostgreSQL itself, or empty for "
            "DATABASE_URL",
            "Where `manage.py release` applies migrations. Never through PgBouncer: its "
            "transaction pooling cannot carry the session's timeouts.",
            "",
            secret=True,
        ),
        "DATABASE_MIGRATION_LOCK_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "A migration waiting this long for a lock gives up and is retried, so the "
            "queries queued behind it go on.",
            "5",
        ),
        "DATABASE_MIGRATION_STATEMENT_TIMEOUT": Variable(
            "whole seconds, 0 for none",
            "Bound on one statement of a migration (a backfill, an index build).",
            "0",
        ),
        "DATABASE_MIGRATION_ATTEMPTS": Variable(
            "a whole number, at least 1",
            "How many times `manage.py release` tries when a lock was not granted in time.",
            "5",
        ),
    }
)

DATABASE_MIGRATION_URL = env.read_str("DATABASE_MIGRATION_URL")
if DATABASE_MIGRATION_URL:
    DATABASE_MIGRATION_URL = env.read_url(
        "DATABASE_MIGRATION_URL", schemes=("postgres", "postgresql")
    )

# The migration session's own values, in milliseconds (PostgreSQL's unit).
DATABASE_MIGRATION_SESSION = {
    "lock_timeout": env.read_int("DATABASE_MIGRATION_LOCK_TIMEOUT", minimum=1) * 1000,
    "statement_timeout": env.read_int("DATABASE_MIGRATION_STATEMENT_TIMEOUT", minimum=0) * 1000,
}
DATABASE_MIGRATION_ATTEMPTS = env.read_int("DATABASE_MIGRATION_ATTEMPTS", minimum=1)
# The first wait between attempts; each later one doubles it (2, 4, 8 ... s).
DATABASE_MIGRATION_RETRY_DELAY = 2.0
