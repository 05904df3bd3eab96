from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .accounts import twofactor
from .accounts import views as account_views
from .api import pages as api_pages
from .core import views as core_views

# Deletions in /admin/ go one object at a time, through its delete page, so each
# writes its own audit row (a bulk "delete selected" logs without signals).
admin.site.disable_action("delete_selected")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("jsi18n/", views.javascript_catalog, name="javascript_catalog"),
    path("accounts/login/", account_views.CRMLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        account_views.CRMPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/2fa/", twofactor.status, name="two_factor"),
    path("accounts/2fa/setup/", twofactor.setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="two_factor_verify"),
    path("accounts/2fa/disable/", twofactor.disable, name="two_factor_disable"),
    path("accounts/2fa/recovery-codes/", twofactor.regenerate_codes, name="two_factor_codes"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/api-keys/", api_pages.api_keys, name="api_keys"),
    path(
        "accounts/api-keys/<str:prefix>/revoke/",
        api_pages.api_key_revoke,
        name="api_key_revoke",
    ),
    path("api/v1/", include("crm_site.api.urls")),
    path("", include("crm_site.core.urls")),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("customers/", include("customers.urls")),
    path("outlets/", include("customers.outlets.urls")),
    path("visits/", include("visits.urls")),
    path("complaints/", include("complaints.urls")),
    path("reports/", include("reports.urls")),
    path("search/", include("reports.search.urls")),
    path("waybills/", include("reports.search.waybill_urls")),
    path("admin/", admin.site.urls),
]

# A lost database answers 503 with "try again" (crm_site.views.server_error).
handler500 = "crm_site.views.server_error"
