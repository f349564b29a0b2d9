from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "himaya.directory"
    label = "directory"
    verbose_name = _("Actors, institutions and services")
