from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobnetConfig(AppConfig):
    name = "jobnet"
    verbose_name = _("Jobnet")

    def ready(self) -> None:
        from . import checks

        checks.register()
