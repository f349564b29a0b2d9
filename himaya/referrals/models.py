"""Referrals (circuit.md §4.6): a case-plan action sent to an institution of the directory,
answered by the institution's own users, closed with an outcome.

    sent → accepted → completed
    sent → refused | service_unavailable   (declined, with a reason)
    sent | accepted → cancelled             (by the referring side)

The transitions are the table `TRANSITIONS` below, applied by `services`. The `packet` is the
snapshot of what the provider is shown (data-protection.md DP-37), frozen when sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.cases.models import Case, PlanAction
from himaya.core.models import VersionedModel
from himaya.directory.models import Institution

USER = settings.AUTH_USER_MODEL

OPEN_STATUSES = ("sent", "accepted")
CLOSED_STATUSES = ("completed", "refused", "service_unavailable", "cancelled")
DECLINED_STATUSES = ("refused", "service_unavailable")

# status → {action: next status}. Declining chooses its status from the reason (services).
TRANSITIONS: dict[str, dict[str, str]] = {
    "sent": {"accept": "accepted", "decline": "refused", "cancel": "cancelled"},
    "accepted": {"complete": "completed", "cancel": "cancelled"},
}


class Referral(VersionedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    plan_action = models.ForeignKey(PlanAction, on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(_("service"), max_length=40)  # code of service_type
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="referrals")
    # The organisation that answers, copied from the institution when sent (its inbox).
    provider_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+"
    )  # the referring case's territory when sent (diagnostic)
    urgency = models.CharField(_("urgency"), max_length=10, default="routine")
    note = models.TextField(_("what the service needs to act"), blank=True)
    status = models.CharField(_("status"), max_length=20, default="sent")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    respond_by = models.DateTimeField()
    packet = models.JSONField(default=dict)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.CharField(max_length=40, blank=True)  # code of referral_refusal_reason
    refusal_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # completed, declined or cancelled
    response_alerted_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # The inbox walks its organisation's referrals newest first (keyset order) and
            # stops at the page size, instead of sorting them all.
            models.Index(fields=["provider_organisation", "-created_at", "-id"]),
            models.Index(fields=["provider_organisation", "status", "-created_at"]),
            models.Index(fields=["case", "status"]),
            models.Index(fields=["province", "sent_at"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.institution_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
