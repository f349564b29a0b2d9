"""URL map of the audit tests: the project's, plus the audit pages and API route (which the
project's map may not include yet) and a stand-in login page if there is none."""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from config.urls import urlpatterns as project_urlpatterns
from himaya.api.views_audit import AuditEventList


def _names(patterns) -> set[str]:
    """URL names and namespaces ("audit:") of a URL map."""
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace:
                found.add(f"{pattern.namespace}:")
            else:
                found |= _names(pattern.url_patterns)
        elif pattern.name:
            found.add(pattern.name)
    return found


_project_names = _names(project_urlpatterns)
urlpatterns = list(project_urlpatterns)
if "audit:" not in _project_names:
    urlpatterns.append(path("audit/", include("himaya.audit.urls")))
if "api-audit" not in _project_names:
    urlpatterns.append(path("api/v1/audit/", AuditEventList.as_view(), name="api-audit"))
if "login" not in _project_names:
    urlpatterns.append(path("login/", lambda request: HttpResponse("login"), name="login"))
