from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from crm_site.core import registry

        registry.register_home_panel("reports.panels.home_panel", position=50)
        registry.register_handoff("reports.handoff.SUMMARY", position=40)
        registry.register_sticky_filter_view("reports:monthly_list")
