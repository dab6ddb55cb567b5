"""Settings for running APOC on one's own machine (``make run``), in training mode."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-only-insecure-key-do-not-use-in-production")
os.environ.setdefault("APOC_TRAINING", "true")
os.environ.setdefault("JOBNET_ACCOUNTS", "jobnet.accounts.LocalAccounts")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("EMAIL_URL", "consolemail://")  # links to choose a password: printed

from .base import *  # noqa: F403
