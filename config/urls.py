"""Root URL map. Each app owns its URLs; the API lives under /api/v1/.

Every view declares its access requirement (himaya.accounts.access); a test walks this map
and fails on any view that declares none."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from himaya.accounts.access import PUBLIC
from himaya.accounts.views import notification_list

# Third-party views reachable without login, declared here so the default-deny test sees them.
for _view in (set_language, SpectacularAPIView, SpectacularSwaggerView):
    _view.himaya_access = PUBLIC
JavaScriptCatalog.himaya_access = PUBLIC

urlpatterns = [
    path("", include("himaya.core.urls")),
    path("accounts/", include("himaya.accounts.urls_auth")),
    path("manage/", include("himaya.accounts.urls")),
    path("notifications/", notification_list, name="notifications"),
    path("children/", include("himaya.children.urls")),
    path("audit/", include("himaya.audit.urls")),
    path("cases/", include("himaya.cases.urls")),
    path("cases/", include("himaya.cases.urls_documents")),
    path("directory/", include("himaya.directory.urls")),
    path("assessments/", include("himaya.assessment.urls")),
    path("placements/", include("himaya.placements.urls")),
    path("referrals/", include("himaya.referrals.urls")),
    path("indicators/", include("himaya.indicators.urls")),
    path("break-glass/", include("himaya.audit.urls_breakglass")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("himaya.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
