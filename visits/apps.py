from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from crm_site.core import registry

        for path, position in [
            ("visits.panels.staff_home_panel", 10),
            ("visits.panels.supervisor_home_panel", 20),
            ("visits.urgent.panels.home_panel", 30),
        ]:
            registry.register_home_panel(path, position=position)
        registry.register_nav_badge("visits.panels.review_badge", position=10)
        registry.register_handoff("visits.handoff.DAILY_REPORT", position=30)
        registry.register_handoff("visits.handoff.URGENT_REPORT", position=20)
        registry.register_nav_badge("visits.urgent.panels.nav_badge", position=20)
        registry.register_customer_card_section("visits.panels.customer_card_section", position=10)
        for view_name in ["visits:report_list", "visits:urgent_list", "visits:compliance"]:
            registry.register_sticky_filter_view(view_name)
