from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CprConfig(AppConfig):
    name = "cpr"
    verbose_name = _("CPR-numre")

    def ready(self) -> None:
        from . import audit, checks

        audit.register()
        checks.register()
