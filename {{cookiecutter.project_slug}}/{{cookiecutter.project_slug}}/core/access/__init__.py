"""Who gets into the admin: lockouts, a second factor, staff sessions, the client's address.

Configured by config/settings/access.py (and the browser policies of
config/settings/security.py). The admin's login is the one door a person opens
with a secret they chose, so:

- failed logins are counted per username and per client address (django-axes,
  in the database) and, past the limit, every attempt is refused for a while,
  the right password included (lockout.py answers 429); each failure is a log
  line and a metric (logins.py); client.py finds the client's address behind
  the trusted proxies;
- staff pass a second factor, a TOTP code (django-otp): required in
  production (checks.py, core.E020); mfa.py enrols a device from the shell, so
  the first superuser needs no way around it;
- a staff session ends after a fixed age and when idle (sessions.py), checked
  by the admin site (admin_site.py) and the API's browser sessions;
- the pages a browser renders carry the Content-Security-Policy (pages.py).
"""
