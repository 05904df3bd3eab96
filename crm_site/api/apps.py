from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "crm_site.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from . import schema, webhooks  # noqa: F401

        webhooks.connect()
