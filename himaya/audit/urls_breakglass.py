from django.urls import path

from himaya.audit import views_breakglass

app_name = "breakglass"
urlpatterns = [
    path("", views_breakglass.break_glass_list, name="list"),
    path("<uuid:access_id>/", views_breakglass.break_glass_detail, name="detail"),
]
