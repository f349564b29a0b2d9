"""Forms of the referral pages: they parse; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.core import codes


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"))
    institution = forms.UUIDField(label=_("Institution"), widget=forms.HiddenInput)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("routine", _("Routine")), ("urgent", _("Urgent"))]
    )
    note = forms.CharField(
        label=_("What the service needs to act (shared with the provider)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = codes.choices("service_type")


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"))
    note = forms.CharField(label=_("Details"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *codes.choices("referral_refusal_reason")]


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=2000)


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *codes.choices("referral_status")]
