"""The map of actors and institutions (DTIPE "cartographie des acteurs") and the service
catalogue (panier de services).

An `Institution` is a service point a child can be oriented to: a hospital unit, an EPS, a
CPE, an association's shelter, a school listening cell... It may be linked to the
`accounts.Organisation` whose users maintain it and answer its referrals. Nothing is deleted:
an institution that closes is deactivated, and every change is kept in `InstitutionChange`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.core.models import BaseModel, Commune, Province, VersionedModel, active_language


class Service(models.Model):
    """One service of the basket (`code:service_type`), with the circuit stages where it is
    typically delivered (circuit.md §4, codes.md §9). Loaded from
    `directory/data/service_catalogue.yaml`; `catalogue_version` is the file's version."""

    code = models.SlugField(max_length=40, primary_key=True)
    label_en = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200)
    stages = models.JSONField(default=list)  # stage numbers of circuit.md §4 (2..10)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    catalogue_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return getattr(self, f"label_{active_language()}")


class Institution(VersionedModel):
    """A service point of the directory. `capacity` is the number of places of a residential
    or limited service (NULL: not counted); `occupancy` is kept up to date by its own users and
    by admissions and discharges (placements)."""

    class Sexes(models.TextChoices):
        ANY = "any", _("Girls and boys")
        FEMALE = "female", _("Girls only")
        MALE = "male", _("Boys only")

    code = models.SlugField(_("short code"), max_length=60, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=200)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    type = models.CharField(_("type"), max_length=40)  # code of org_type
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation whose users maintain it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
    )
    managing_body = models.CharField(_("managing body"), max_length=200, blank=True)
    supervising_authority = models.CharField(_("supervising authority"), max_length=200, blank=True)
    authorisation_number = models.CharField(_("authorisation number"), max_length=60, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ar, ber, fr, en, es
    age_min = models.PositiveSmallIntegerField(_("youngest age admitted"), default=0)
    age_max = models.PositiveSmallIntegerField(_("oldest age admitted"), default=17)
    sexes = models.CharField(
        _("sexes admitted"), max_length=6, choices=Sexes.choices, default=Sexes.ANY
    )
    capacity = models.PositiveIntegerField(_("capacity (places)"), null=True, blank=True)
    occupancy = models.PositiveIntegerField(_("current occupancy"), default=0)
    services = models.ManyToManyField(Service, related_name="institutions", blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["province", "code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["province", "type", "active"])]
        constraints = [
            models.CheckConstraint(
                name="institution_ages_ordered", condition=Q(age_min__lte=F("age_max"))
            ),
            models.CheckConstraint(
                name="institution_coordinates_in_range",
                condition=(
                    Q(latitude__isnull=True, longitude__isnull=True)
                    | Q(
                        latitude__gte=-90,
                        latitude__lte=90,
                        longitude__gte=-180,
                        longitude__lte=180,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ar if active_language() == "ar" else self.name_fr

    @property
    def free_places(self) -> int | None:
        """Places left, or None when the institution's capacity is not counted."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.occupancy, 0)

    @property
    def at_capacity(self) -> bool:
        return self.capacity is not None and self.occupancy >= self.capacity


class InstitutionChange(BaseModel):
    """One change of an institution (append-only): who, when, what, before and after."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="changes")
    version = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20)  # created / updated / occupancy / deactivated
    changes = models.JSONField(default=dict)  # {field: [before, after]}
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-version"]
        indexes = [models.Index(fields=["institution", "-at"])]

    def __str__(self) -> str:
        return f"{self.institution_id} v{self.version} {self.kind}"
