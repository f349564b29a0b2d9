"""Organisations, users and memberships: who a person is, where they work, in which role and
over which territory. Roles are data an administrator assigns (Membership.role is a code of
`user_role`); what a role may do is code (`permissions.py`)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.core.models import (
    BaseModel,
    BilingualNameMixin,
    Commune,
    Province,
    Region,
    VersionedModel,
)


class Organisation(BilingualNameMixin, VersionedModel):
    """Every actor of the circuit: CAPE, UPE, EPS, CPE, court and police cells, hospital units,
    schools, associations, CPPE, ministry. `type` is a code of `org_type`."""

    code = models.SlugField(_("short code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=200)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    type = models.CharField(_("type"), max_length=40)
    status = models.CharField(_("status"), max_length=40, default="operational")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["province", "type"])]


class User(AbstractUser):
    """A personal account (no shared accounts, DP-50). Two-factor secret and lockout state
    live here; what the person may do comes from their memberships."""

    name_ar = models.CharField(_("name in Arabic"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("language"),
        max_length=2,
        default="ar",
        choices=[("ar", "العربية"), ("fr", "Français"), ("en", "English")],
    )
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("two-factor login enabled"), default=False)
    totp_last_step = models.BigIntegerField(default=0)  # a code is accepted once (replay)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        full = self.get_full_name()
        return full or self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class Membership(BaseModel):
    """user × organisation × role × territorial scope. A user may hold several."""

    class Scope(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        PROVINCE = "province", _("Province or prefecture")
        REGION = "region", _("Region")
        NATIONAL = "national", _("National")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=40)
    scope = models.CharField(_("territorial scope"), max_length=10, choices=Scope.choices)
    scope_region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    scope_province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    scope_commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user", "organisation", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_level",
                condition=(
                    Q(
                        scope="national",
                        scope_region__isnull=True,
                        scope_province__isnull=True,
                        scope_commune__isnull=True,
                    )
                    | Q(
                        scope="region",
                        scope_region__isnull=False,
                        scope_province__isnull=True,
                        scope_commune__isnull=True,
                    )
                    | Q(scope="province", scope_province__isnull=False, scope_commune__isnull=True)
                    | Q(scope="commune", scope_commune__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(active=True),
                name="membership_unique_active_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.organisation_id}"


def _new_token_key() -> str:
    return secrets.token_urlsafe(32)


class ApiToken(BaseModel):
    """A bearer token of the REST API. Only its SHA-256 is stored; it expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"token of {self.user_id}"


class LoginFailure(models.Model):
    """One failed login, kept to lock an address that tries many accounts."""

    ip_address = models.GenericIPAddressField(null=True)
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ip_address", "at"]),
            models.Index(fields=["username", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip_address}"


class Notification(BaseModel):
    """A message to one user inside Himaya. Carries no child data in its text (DP-48):
    it names an action and links to the record, which is then opened through its selector."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
