from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "crm_site.devtools"
    label = "devtools"
    verbose_name = "Developer tools"
