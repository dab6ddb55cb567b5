from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apoc.accounts"
    label = "accounts"
    verbose_name = _("Brugere og jobcentre")

    def ready(self) -> None:
        from . import audit, checks, signals  # noqa: F401 - signals connects the receivers

        audit.register()
        checks.register()
