from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from crm_site.core import registry

        registry.register_home_panel("customers.panels.care_home_panel", position=60)
        for path, position in [
            ("customers.voice.display.card_section", 30),
            ("customers.revenue.display.card_section", 35),
            ("customers.privacy.card_section", 40),
            ("customers.panels.development_card_section", 50),
        ]:
            registry.register_customer_card_section(path, position=position)
        registry.register_outlet_page_section(
            "customers.outlets.sections.customers_section", position=30
        )
        registry.register_customer_card_section("customers.panels.cargo_card_section", position=10)
        registry.register_exporter("customers", "customers.services.exports.customers_export_write")
        registry.register_sticky_filter_view("customers:list")
