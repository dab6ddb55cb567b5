from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apoc.audit"
    label = "audit"
    verbose_name = _("Adgangslog")

    def ready(self) -> None:
        from . import details

        details.register()
