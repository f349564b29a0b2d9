from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "himaya.placements"
    label = "placements"
    verbose_name = _("Placements and care arrangements")

    def ready(self):
        from himaya.cases import panels
        from himaya.placements.views import case_panel

        panels.register(case_panel, order=30)
