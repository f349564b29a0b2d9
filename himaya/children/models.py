"""The child's identity: one record per child in the whole system (circuit.md §1).

This first version carries what access control needs — identity, territory, owning
organisation, the workers assigned — and one field of a restricted category (health) so that
category permissions are enforced from day one. The protection circuit extends it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.core.models import Commune, Province, VersionedModel


class Child(VersionedModel):
    first_name_ar = models.CharField(_("first name (Arabic script)"), max_length=100, blank=True)
    last_name_ar = models.CharField(_("last name (Arabic script)"), max_length=100, blank=True)
    first_name_lat = models.CharField(_("first name (Latin script)"), max_length=100, blank=True)
    last_name_lat = models.CharField(_("last name (Latin script)"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, default="unknown")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("birth date estimated"), default=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="children_held"
    )
    assigned_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    # data category: health [H] — shown only with Perm.DATA_HEALTH
    health_notes = models.TextField(_("health and disability notes"), blank=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            models.Index(fields=["province", "organisation", "-created_at"]),
            models.Index(fields=["organisation", "-created_at"]),
        ]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def display_name(self) -> str:
        arabic = " ".join(filter(None, [self.first_name_ar, self.last_name_ar]))
        latin = " ".join(filter(None, [self.first_name_lat, self.last_name_lat]))
        return " / ".join(filter(None, [arabic, latin])) or "—"

    def assigned_user_ids(self) -> set[int]:
        return {user.pk for user in self.assigned_workers.all()}
