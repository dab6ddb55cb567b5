"""Settings for the test suite."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("APOC_TRAINING", "true")
os.environ.setdefault("JOBNET_ACCOUNTS", "jobnet.accounts.LocalAccounts")
os.environ.setdefault("APOC_UPLOAD_DIR", tempfile.mkdtemp(prefix="apoc-test-uploads-"))

from .base import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "jobnet.hashers.OneTimePasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# whitenoise serves STATIC_ROOT; an existing, empty one spares it a warning.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="apoc-test-static-"))

# The login lock needs the request at every authenticate(), which the test
# client's login() does not pass. The tests of the lock switch it on
# (tests/test_security.py); everywhere else tests log in with force_login().
AXES_ENABLED = False
