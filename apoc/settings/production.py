"""Production settings: everything comes from the environment.

``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and ``DATABASE_URL`` have no
default, so a missing one stops the server at start, and ``DEBUG`` is always off. APOC runs behind a reverse proxy that
terminates TLS and sets X-Forwarded-Proto (see the README's Operations).
"""

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, env

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Required: production never falls back to the embedded SQLite file.
DATABASES["default"].update(env.db("DATABASE_URL"))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)

# Cookies only over HTTPS, out of reach of scripts, never sent by other sites'
# forms. The __Host- prefix makes the browser refuse them without Secure, with
# a Domain or for another path, so no sibling host can plant or read them.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-apoc-session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_NAME = "__Host-apoc-csrftoken"

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# A load balancer's probe may ask gunicorn directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The proxy must set (overwrite) this header; APOC is never reachable around it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Static files are served by whitenoise from STATIC_ROOT (``collectstatic``),
# compressed, with content hashes in their names and cached for a year.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
