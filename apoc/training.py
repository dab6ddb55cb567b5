"""Training mode, and the backends that are fit for nothing else.

Some backends make up what the world outside APOC decides: the embedded
``cpr.registry.LocalRegistry`` picks personnumre that the CPR office never hears
of, and the Jobnet logins ``jobnet.accounts.LocalAccounts`` makes up are unknown
to Jobnet. Such a backend says so with a class attribute ``training_only = True``.

It may only run in training mode, the setting ``APOC_TRAINING`` (environment
variable ``APOC_TRAINING``), in which every page (``apoc.context_processors``)
and every Jobnet letter says that nothing is registered in CPR or Jobnet. An
app whose setting names a backend registers a deploy check made by
:func:`training_only_check` in its ``AppConfig.ready()`` (``cpr``: ``cpr.E001``
for ``CPR_REGISTRY``; ``jobnet``: ``jobnet.E001`` for ``JOBNET_ACCOUNTS``), so
``manage.py check --deploy``, and with it ``make serve``, refuses a production
configuration that would hand out made-up numbers or logins as real ones.

The base layer imports no app: the check finds the backend through the setting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

__all__ = ["is_training", "is_training_only", "training_only_check"]

Check = Callable[..., list[checks.CheckMessage]]


def is_training() -> bool:
    """Whether this installation is a training environment (``APOC_TRAINING``)."""
    return bool(getattr(settings, "APOC_TRAINING", False))


def is_training_only(backend: Any) -> bool:
    """Whether ``backend`` (a class or an instance) makes up what it should get from outside."""
    return getattr(backend, "training_only", False) is True


def training_only_check(
    *,
    setting: str,
    error_id: str,
    import_error_id: str,
    consequence: str,
    production: str,
) -> Check:
    """A system check, for ``checks.register(check, ..., deploy=True)``.

    Outside training mode it reports an Error ``error_id`` when ``setting``
    names a training-only backend, saying ``consequence`` (what would not be
    real) and, as the hint, how to choose training mode or, ``production``,
    what to configure instead. A setting that names nothing importable is an
    Error ``import_error_id``, in training mode too.
    """

    def check(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
        path = getattr(settings, setting)
        try:
            backend = import_string(path)
        except ImportError as error:
            return [
                checks.Error(
                    f"{setting} names {path!r}, which cannot be imported: {error}",
                    hint=f"Set {setting} to the dotted path of a class.",
                    id=import_error_id,
                )
            ]
        if is_training() or not is_training_only(backend):
            return []
        return [
            checks.Error(
                f"{setting} is {path}, which is for training only: {consequence}",
                hint=(
                    "For a training environment set APOC_TRAINING=1; every page and every "
                    f"Jobnet letter then says so. For production, {production}"
                ),
                id=error_id,
            )
        ]

    check.__name__ = check.__qualname__ = f"training_only_{setting.lower()}"
    return check
