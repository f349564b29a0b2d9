"""The assessment form, built from the instrument version's data: one radio group per
dimension whose choices are the anchored descriptors in the user's language, the Tier A
flags, the override and the views. The rules are the service's; the form parses."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.assessment.models import Assessment, InstrumentVersion, pick_label
from himaya.assessment.services import NEED_DOMAINS, SOURCES, AssessmentInput

NEED_LABELS = {
    "education": _("Education"),
    "health": _("Health"),
    "psychosocial": _("Psychosocial"),
    "behaviour": _("Behaviour (running away, substance use, conflict with the law)"),
}
SOURCE_LABELS = {
    "child_interview": _("Interview with the child"),
    "caregivers": _("Caregivers"),
    "school": _("School"),
    "health": _("Health services"),
    "home_visit": _("Home visit"),
    "other": _("Other"),
}


def _text(label, *, required=False, rows=2):
    return forms.CharField(
        label=label, required=required, max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )  # fmt: skip


class AssessmentForm(forms.Form):
    """Fields: kind, flag_<code> (Tier A), flags_note, score_<dim> and note_<dim> per dimension,
    level_final, override_reason, child_views, caregiver_views, need_<domain>, sources."""

    kind = forms.ChoiceField(label=_("Kind of assessment"), choices=Assessment.Kind.choices)

    def __init__(self, *args, version: InstrumentVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        definition = version.definition
        self.flag_names = []
        for flag in definition["tier_a"]:
            name = f"flag_{flag['code']}"
            self.fields[name] = forms.BooleanField(
                label=f"{flag['code']} — {pick_label(flag['label'])}", required=False
            )
            self.flag_names.append(name)
        self.fields["flags_note"] = _text(
            _("Why each immediate-danger flag answered yes applies (required for a yes)")
        )
        self.dimensions = []
        for dim in definition["dimensions"]:
            name = f"score_{dim['code']}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{dim['code']} — {pick_label(dim['label'])}",
                coerce=int,
                required=False,  # a missing score is refused by the service, naming it
                choices=[
                    (score, f"{score} — {pick_label(dim['descriptors'][str(score)])}")
                    for score in range(dim["min"], dim["max"] + 1)
                ],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"note_{dim['code']}"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=4000
            )
            self.dimensions.append(dim["code"])
        self.fields["level_final"] = forms.TypedChoiceField(
            label=_("Final level (leave as computed unless you override it)"),
            coerce=int,
            required=False,
            empty_value=None,
            choices=[("", _("As computed"))]
            + [
                (rule["level"], f"{rule['level']} — {pick_label(rule['label'])}")
                for rule in sorted(definition["levels"], key=lambda r: -r["level"])
            ],
        )
        self.fields["override_reason"] = _text(
            _("Justification of the override (a lowered level needs a supervisor's approval)")
        )
        self.fields["child_views"] = _text(_("The child's views"), rows=3)
        self.fields["caregiver_views"] = _text(_("The caregivers' views"), rows=3)
        for domain in NEED_DOMAINS:
            self.fields[f"need_{domain}"] = forms.CharField(
                label=NEED_LABELS[domain], required=False, max_length=4000
            )
        self.fields["sources"] = forms.MultipleChoiceField(
            label=_("Sources of information"),
            required=False,
            choices=[(code, SOURCE_LABELS[code]) for code in SOURCES],
            widget=forms.CheckboxSelectMultiple,
        )

    # Bound fields grouped for the template.
    def flag_fields(self):
        return [self[name] for name in self.flag_names]

    def dimension_rows(self):
        return [(code, self[f"score_{code}"], self[f"note_{code}"]) for code in self.dimensions]

    def need_fields(self):
        return [self[f"need_{domain}"] for domain in NEED_DOMAINS]

    def view_fields(self):
        return [self["child_views"], self["caregiver_views"], self["sources"]]

    def override_fields(self):
        return [self["level_final"], self["override_reason"]]

    # Service field names → form field names, for errors.
    def field_for(self, service_name: str) -> str | None:
        if service_name.startswith("scores."):
            return f"score_{service_name.removeprefix('scores.')}"
        if service_name == "flags":
            return "flags_note"
        return service_name if service_name in self.fields else None

    def clean(self):
        data = super().clean()
        flags = [name.removeprefix("flag_") for name in self.flag_names if data.get(name)]
        if flags and not (data.get("flags_note") or "").strip():
            self.add_error("flags_note", _("Say why each flag answered yes applies."))
        return data

    def flags(self) -> list[str]:
        return [n.removeprefix("flag_") for n in self.flag_names if self.cleaned_data.get(n)]

    def scores(self) -> dict[str, int]:
        scores = {}
        for code in self.dimensions:
            value = self.cleaned_data.get(f"score_{code}")
            if value not in (None, ""):
                scores[code] = value
        return scores

    def to_input(self) -> AssessmentInput:
        data = self.cleaned_data
        flags = self.flags()
        note = (data.get("flags_note") or "").strip()
        return AssessmentInput(
            instrument=self.version.instrument.code,
            version=self.version.version,
            kind=data["kind"],
            flags=flags,
            flag_notes=dict.fromkeys(flags, note),
            scores=self.scores(),
            score_notes={code: data.get(f"note_{code}", "") for code in self.dimensions},
            level_final=data.get("level_final"),
            override_reason=data.get("override_reason", ""),
            child_views=data.get("child_views", ""),
            caregiver_views=data.get("caregiver_views", ""),
            needs={d: data.get(f"need_{d}", "") for d in NEED_DOMAINS},
            sources=list(data.get("sources") or []),
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the lowered level")), ("reject", _("Reject it"))],
        widget=forms.RadioSelect,
    )
    reason = _text(_("Reason (required to reject)"))
