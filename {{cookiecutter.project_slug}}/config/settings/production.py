"""Production: every required variable comes from the environment; nothing is relaxed.

What production never starts with (debug pages, a known or weak secret key,
any Host accepted) is refused here, with every other bad variable, in one error.
"""

from config import env
from config.settings.base import *
from config.settings.security import refuse_unsafe_in_production

refuse_unsafe_in_production()
env.check()

ENVIRONMENT = "production"
