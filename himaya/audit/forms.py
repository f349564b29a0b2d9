"""The auditor's search form. Every field is optional; bad input becomes field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.audit.services import ACTION_RE


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        # The format a datetime-local input sends back, so a submitted value is shown again.
        super().__init__(attrs={"class": "form-control"}, format="%Y-%m-%dT%H:%M")


def _text(label, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class AuditSearchForm(forms.Form):
    actor = _text(_("User (username)"), 150)
    action = _text(_("Action"), 60)
    target = _text(_("Target id"), 64)
    child = forms.UUIDField(
        label=_("Child id"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    # Naive input is read in the active time zone (Africa/Casablanca).
    since = forms.DateTimeField(label=_("From"), required=False, widget=_DateTimeInput())
    until = forms.DateTimeField(label=_("Until"), required=False, widget=_DateTimeInput())
    # Keyset cursor: show events with a smaller id than this one (the next, older page).
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_action(self) -> str:
        action = self.cleaned_data["action"].strip()
        if action and not ACTION_RE.fullmatch(action):
            raise forms.ValidationError(
                _("Enter an action code such as %(example)s."), params={"example": "child.read"}
            )
        return action

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end must not be before the start."))
        return cleaned

    def filters(self) -> dict:
        """The search filters, for audit_events_search (empty values dropped)."""
        return {
            name: self.cleaned_data[name]
            for name in ("actor", "action", "target", "child", "since", "until")
            if self.cleaned_data.get(name) not in (None, "")
        }
