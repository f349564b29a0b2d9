"""The audit trail (data-protection.md §7) and break-the-glass sessions (§6).

`AuditEvent` is append-only and hash-chained: each row stores the hash of the row before it,
and its own hash covers every stored field, so an edited, deleted or inserted row breaks the
chain (`services.audit_chain_verify`). Rows are written only by `services.audit_record`, which
assigns the id itself from `AuditChainHead` so that ids are gapless; database triggers
(migration 0002) refuse UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from himaya.core.models import BaseModel

GENESIS_HASH = "0" * 64  # prev_hash of the first event of the chain


class AuditEvent(models.Model):
    """One audited read, write, login or denied attempt (DP-24, DP-25). Never updated."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        DENIED = "denied", _("Denied")

    class Interface(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        CLI = "cli", _("Command line")

    # Assigned by audit_record (head.last_id + 1), never by the database sequence.
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Copied at write time: the log says who acted even after a rename.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=255, blank=True)
    organisation_id = models.UUIDField(_("organisation id"), null=True, blank=True)
    organisation_code = models.CharField(_("organisation"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    child_id = models.UUIDField(_("child id"), null=True, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    interface = models.CharField(_("interface"), max_length=3, choices=Interface.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target_id", "at"], name="audit_event_target_at"),
            models.Index(fields=["actor", "at"], name="audit_event_actor_at"),
            models.Index(fields=["action", "at"], name="audit_event_action_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action}"


class AuditChainHead(models.Model):
    """The single row that serialises appends: the last event's id and hash.

    `audit_record` locks it (SELECT ... FOR UPDATE) before computing the next event, so two
    concurrent writers can never both link to the same predecessor (a fork). It also lets
    `audit_chain_verify` notice rows deleted from, or added to, the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_one_row")]

    def __str__(self) -> str:
        return f"head #{self.last_id}"


class BreakGlassAccess(BaseModel):
    """An emergency, read-only, time-limited opening of one child's record outside the user's
    scope (DP-20..23), reviewed afterwards by the owner's supervisor. Services live elsewhere."""

    class ReasonCode(models.TextChoices):
        CHILD_PRESENT_NOW = "child_present_now", _("The child is present now")
        URGENT_SAFETY_CHECK = "urgent_safety_check", _("Urgent safety check")
        HEARING_TODAY = "hearing_today", _("Hearing today")
        OTHER = "other", _("Other")

    class ReviewStatus(models.TextChoices):
        PENDING = "pending", _("Pending review")
        JUSTIFIED = "justified", _("Justified")
        NOT_JUSTIFIED = "not_justified", _("Not justified")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_accesses",
        verbose_name=_("user"),
    )
    target_type = models.CharField(_("target type"), max_length=40)
    target_id = models.CharField(_("target id"), max_length=64)
    child_id = models.UUIDField(_("child id"), null=True, blank=True)
    # The territory of the opened record, so reviews and reports can be routed by province.
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province or prefecture"),
    )
    reason_code = models.CharField(_("reason"), max_length=40, choices=ReasonCode.choices)
    justification = models.TextField(_("justification"))
    started_at = models.DateTimeField(_("started at"))
    expires_at = models.DateTimeField(_("expires at"))
    review_status = models.CharField(
        _("review"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")
        indexes = [
            models.Index(fields=["user", "target_id", "expires_at"], name="breakglass_user_target"),
            models.Index(fields=["province", "started_at"], name="breakglass_province_started"),
        ]

    def __str__(self) -> str:
        return f"break-glass {self.id} by {self.user_id}"
