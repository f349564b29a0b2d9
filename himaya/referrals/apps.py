from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "himaya.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from himaya.cases import panels
        from himaya.referrals.views import case_panel

        panels.register(case_panel, order=40)
