"""Forms of the care-arrangement panel: they parse the input; `services.py` holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.cases.forms import CodeChoiceField, DateInput, LocalDateTimeInput, _now_local, _text
from himaya.children.models import Person
from himaya.placements.models import CareEvent, PlacementReview
from himaya.placements.services import PROVIDER_TYPES


class ArrangementOpenForm(forms.Form):
    care_type = CodeChoiceField("care_type", label=_("Type of care"))
    legal_basis = CodeChoiceField("care_legal_basis", label=_("Legal basis"))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    provider_org = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Institution (shelter, EPS, CPE)")
    )
    carer = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Carer (kinship, kafala, foster family)")
    )
    judicial_measure = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Judicial decision")
    )
    planned_end_date = forms.DateField(
        label=_("Planned end date"), widget=DateInput(), required=False
    )
    is_primary = forms.BooleanField(
        label=_("This is where the child mainly lives"), required=False, initial=True
    )
    note = _text(_("Note"), max_length=4000, rows=2)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        types = sorted({t for group in PROVIDER_TYPES.values() for t in group})
        self.fields["provider_org"].queryset = Organisation.objects.filter(
            active=True, type__in=types, province_id=case.province_id
        ).order_by("code")
        self.fields["carer"].queryset = Person.objects.filter(
            relations__child=case.child
        ).distinct()
        self.fields["carer"].label_from_instance = lambda p: p.name_lat or p.name_ar
        self.fields["judicial_measure"].queryset = case.judicial_measures.order_by("-decided_at")


class ArrangementEndForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    end_reason = CodeChoiceField("care_end_reason", label=_("Why it ends"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CareEventForm(forms.Form):
    event_type = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (c.value, c.label)
            for c in (
                CareEvent.Type.LEAVE,
                CareEvent.Type.RUNAWAY,
                CareEvent.Type.RETURN,
                CareEvent.Type.TRANSFER,
            )
        ],
    )
    at = forms.DateTimeField(label=_("When"), widget=LocalDateTimeInput(), initial=_now_local)
    note = _text(_("Note"), max_length=4000, rows=2)


class PlacementReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput())
    child_seen = forms.BooleanField(label=_("The child was seen"), required=False)
    child_views = _text(_("The child's views"), max_length=4000, rows=2)
    views_not_obtained_reason = CodeChoiceField(
        "views_not_obtained_reason", label=_("Why the child's views could not be obtained"),
        required=False,
    )  # fmt: skip
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=PlacementReview.Recommendation.choices
    )
    note = _text(_("Note"), max_length=4000, rows=2)
