"""REST v1 (api-contract.md). Each domain adds its routes here, served by views in this app
that call the domain's services and selectors."""

from django.urls import path

from himaya.api import views_audit, views_auth, views_children, views_core

urlpatterns = [
    path("auth/token/", views_auth.TokenObtainView.as_view(), name="api-auth-token"),
    path("auth/token/revoke/", views_auth.TokenRevokeView.as_view(), name="api-auth-token-revoke"),
    path("provinces/", views_core.ProvinceList.as_view(), name="api-provinces"),
    path("children/", views_children.ChildList.as_view(), name="api-children"),
    path("children/<uuid:child_id>/", views_children.ChildDetail.as_view(), name="api-child"),
    path("audit/", views_audit.AuditEventList.as_view(), name="api-audit"),
]
