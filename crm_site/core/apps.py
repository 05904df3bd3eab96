from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import inputs

# As early as the app registry loads (before any form class is defined): every
# text field of every form refuses invisible direction controls.
inputs.install()


class CoreConfig(AppConfig):
    name = "crm_site.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import signals  # noqa: F401
