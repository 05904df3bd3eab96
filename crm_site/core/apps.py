from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "crm_site.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import registry, signals  # noqa: F401

        registry.register_sticky_filter_view("audit_log")
        registry.register_home_panel("crm_site.core.panels.awaiting_me_panel", position=5)
