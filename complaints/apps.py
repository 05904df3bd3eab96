import statistics

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class _SQLiteMedian:
    """complaints_median(x) for SQLite, which has no percentile function."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("complaints_median", 1, _SQLiteMedian)


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        connection_created.connect(_register_sqlite_functions, dispatch_uid="complaints_median")

        from crm_site.core import registry

        registry.register_home_panel("complaints.panels.home_panel", position=40)
        registry.register_handoff("complaints.handoff.COMPLAINT", position=10)
        registry.register_handoff("complaints.handoff.CLAIM", position=50)
        registry.register_customer_card_section(
            "complaints.panels.green_channel_section", position=15
        )
        registry.register_customer_card_section(
            "complaints.panels.customer_card_section", position=20
        )
        registry.register_outlet_page_section("complaints.outlets.outlet_section", position=10)
        registry.register_outlet_page_section(
            "complaints.outlets.outlet_claims_section", position=20
        )
        registry.register_exporter("complaints", "complaints.export.register_export_write")
        registry.register_exporter("claims", "complaints.claims.export.register_export_write")
        registry.register_sticky_filter_view("complaints:list")
        registry.register_sticky_filter_view("complaints:stats")
