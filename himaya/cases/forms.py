"""Forms of the case pages. They parse and validate the shape of the input; the services in
`services.py` hold the rules and write. Choices come from the code lists, labelled in the
user's language when the form is built."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.permissions import Perm, granting, province_family, territory_covers
from himaya.cases import services
from himaya.children.matching import ChildIdentity
from himaya.core import codes
from himaya.core.models import Province


def _tier_a_choices():
    """Tier A of the instrument in force (assessment.md §2), labelled in the user's language
    from the instrument's own data — the same flags the services accept."""
    from himaya.assessment.selectors import tier_a_choices

    return tier_a_choices()


SAFETY_OUTCOMES = [
    ("", "—"),
    ("done", _("Done")),
    ("refused", _("Refused")),
    ("not_available", _("Not available")),
    ("not_needed", _("Not needed")),
]
PLAN_ACTION_STATUS_LABELS = {
    "planned": _("Planned"),
    "referred": _("Referred"),
    "in_progress": _("In progress"),
    "done": _("Done"),
    "cancelled": _("Cancelled"),
}

CHILD_NAME_FIELDS = ("first_name_ar", "last_name_ar", "first_name_lat", "last_name_lat")


class LocalDateTimeInput(forms.DateTimeInput):
    """A date and time in the user's local time (Africa/Casablanca), typed in the browser's
    own picker; the form field makes the value aware."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _now_local() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class CodeChoiceField(forms.ChoiceField):
    """A choice among the active codes of a list, labelled in the user's language when the
    form is rendered; optional fields start with an empty choice."""

    def __init__(self, list_name: str, *, required: bool = True, **kwargs):
        self.list_name = list_name

        def _choices():
            return [("", "—"), *codes.choices(list_name)]

        super().__init__(choices=_choices, required=required, **kwargs)


def _text(label, *, max_length: int = 200, required: bool = False, rows: int | None = None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, strip=True
    )


# --- intake --------------------------------------------------------------------------------------


class _Place:
    """A bare territory for `territory_covers` (a province with no commune)."""

    def __init__(self, province_id: str):
        self.province_id = province_id
        self.commune_id = None


def report_provinces(user) -> list[Province]:
    """The provinces where `user` may register a report: the territories of the memberships
    that grant report creation. A commune-level membership cannot receive a report for a whole
    province (the service would refuse it), so it offers none."""
    q = None
    for membership in granting(user, Perm.REPORT_CREATE):
        if membership.scope == "national":
            part = Q()
        elif membership.scope == "region":
            part = Q(region_id=membership.scope_region_id)
        elif membership.scope == "province":
            part = Q(pk__in=province_family(membership.scope_province_id))
        else:
            continue
        if part == Q():
            q = Q()
            break
        q = part if q is None else q | part
    if q is None:
        return []
    members = granting(user, Perm.REPORT_CREATE)
    return [
        province
        for province in Province.objects.filter(q).order_by("code")
        if any(territory_covers(m, _Place(province.pk)) for m in members)
    ]


class ProvinceChoiceField(forms.ChoiceField):
    def __init__(self, provinces: list[Province], **kwargs):
        self.provinces = {p.pk: p for p in provinces}
        super().__init__(choices=[(p.pk, f"{p.name} ({p.pk})") for p in provinces], **kwargs)

    def clean(self, value):
        code = super().clean(value)
        return self.provinces.get(code) if code else None


def _child_name_attrs(matches_url: str, prefix: str | None = None) -> dict:
    """htmx: a change of a name asks the server for children already known (debounced; the
    latest request wins). With several children, each has its own fields and results,
    identified by its form prefix."""
    suffix = f"-{prefix}" if prefix else ""
    attrs = {
        "hx-get": matches_url,
        "hx-trigger": "change delay:400ms",
        "hx-target": f"#child-matches{suffix}",
        "hx-include": f"#child-fields{suffix}, #id_province",
        "hx-sync": f"#child-fields{suffix}:replace",
        "autocomplete": "off",
    }
    if prefix:
        attrs["hx-vals"] = json.dumps({"prefix": prefix})
    return attrs


class ChildIdentityForm(forms.Form):
    """The child named in the report, as the reporter gave it."""

    first_name_ar = _text(_("First name (Arabic script)"), max_length=100)
    last_name_ar = _text(_("Last name (Arabic script)"), max_length=100)
    first_name_lat = _text(_("First name (Latin script)"), max_length=100)
    last_name_lat = _text(_("Last name (Latin script)"), max_length=100)
    known_as = _text(_("Known as (alias)"), max_length=150)
    sex = CodeChoiceField("sex", label=_("Sex"), initial="unknown")
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"), required=False, min_value=0, max_value=17
    )
    mother_name = _text(_("Mother's name"), max_length=150)

    def __init__(self, *args, matches_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if matches_url:
            for name in (*CHILD_NAME_FIELDS, "known_as", "mother_name"):
                self.fields[name].widget.attrs.update(_child_name_attrs(matches_url, self.prefix))
        self.fields["first_name_ar"].widget.attrs["dir"] = "rtl"
        self.fields["last_name_ar"].widget.attrs["dir"] = "rtl"
        self.fields["first_name_lat"].widget.attrs["dir"] = "ltr"
        self.fields["last_name_lat"].widget.attrs["dir"] = "ltr"

    def identity(self, province_code: str = "") -> ChildIdentity:
        """The identity to compare with the children already known (partial input is fine)."""
        data = self.cleaned_data
        birth_year, estimated = None, False
        if data.get("birth_date"):
            birth_year = data["birth_date"].year
        elif data.get("estimated_age") is not None:
            birth_year, estimated = timezone.localdate().year - data["estimated_age"], True
        return ChildIdentity(
            first_name_ar=data.get("first_name_ar", ""),
            last_name_ar=data.get("last_name_ar", ""),
            first_name_lat=data.get("first_name_lat", ""),
            last_name_lat=data.get("last_name_lat", ""),
            sex=data.get("sex") or "unknown",
            birth_year=birth_year,
            birth_year_estimated=estimated,
            mother_name=data.get("mother_name", ""),
            province_code=province_code,
        )

    def has_name(self) -> bool:
        return any(self.cleaned_data.get(name) for name in CHILD_NAME_FIELDS)


CHILD_PREFIX = re.compile(r"^children-\d{1,2}$")
MAX_CHILDREN = 10


class MatchQueryForm(ChildIdentityForm):
    """The GET of the matches fragment: the child's fields, all optional, under the child's
    form prefix (several children per report); the territory is the report's."""

    child_id = forms.CharField(required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].required = False


class IntakeChildForm(ChildIdentityForm):
    """One child of the report. `child_id` comes from the child's matches fragment: "" when no
    known child was proposed, "none" when the user confirmed that none of the candidates is
    this child, or the id of the child picked."""

    child_id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean_child_id(self):
        value = self.cleaned_data.get("child_id", "").strip()
        if value in ("", "none"):
            return value
        try:
            return uuid.UUID(value)
        except ValueError:
            raise forms.ValidationError(_("Choose a child from the list.")) from None

    def clean(self):
        data = super().clean()
        if not isinstance(data.get("child_id"), uuid.UUID):
            if not (any(data.get(n) for n in CHILD_NAME_FIELDS) or data.get("known_as")):
                self.add_error(
                    "known_as", _("Give at least one name, or what the child is known as.")
                )
            if data.get("birth_date") and data.get("estimated_age") is not None:
                self.add_error(
                    "estimated_age", _("Give either the birth date or an estimated age, not both.")
                )
        return data

    def child_input(self) -> services.ChildInput:
        data = self.cleaned_data
        if isinstance(data["child_id"], uuid.UUID):
            return services.ChildInput(child_id=data["child_id"])
        return services.ChildInput(
            first_name_ar=data["first_name_ar"],
            last_name_ar=data["last_name_ar"],
            first_name_lat=data["first_name_lat"],
            last_name_lat=data["last_name_lat"],
            known_as=data["known_as"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            estimated_age=data["estimated_age"],
            mother_name=data["mother_name"],
        )


ChildFormSet = forms.formset_factory(
    IntakeChildForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_CHILDREN,
    validate_max=True,
    absolute_max=MAX_CHILDREN,
)


class IntakeForm(forms.Form):
    """The report; its children are the `ChildFormSet` (prefix "children") beside it."""

    received_at = forms.DateTimeField(label=_("Received at"), widget=LocalDateTimeInput())
    channel = CodeChoiceField("report_channel", label=_("Channel"))
    external_reference = _text(
        _("External reference (2511 ticket, police report, parquet number…)"), max_length=100
    )
    province = forms.ChoiceField(label=_("Territory"))
    reporter_anonymous = forms.BooleanField(label=_("Anonymous reporter"), required=False)
    reporter_type = CodeChoiceField("reporter_type", label=_("Reporter type"), required=False)
    reporter_name = _text(_("Reporter's name"))
    reporter_relationship = _text(_("Reporter's relationship or function"))
    reporter_phone = _text(_("Reporter's phone"), max_length=40)
    concerns = forms.MultipleChoiceField(
        label=_("Concerns"),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    immediate_danger_flags = forms.MultipleChoiceField(
        label=_("Immediate danger (any of these gives level 3 and opens an emergency)"),
        choices=_tier_a_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    offence_suspected = forms.BooleanField(
        label=_("An offence against the child is suspected"), required=False
    )
    narrative = _text(
        _("What was reported (in the reporter's words)"), max_length=20000, required=True, rows=5
    )
    triage_level = forms.TypedChoiceField(
        label=_("Triage level (when no immediate danger)"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    siblings = forms.BooleanField(
        label=_("The children named are siblings"),
        help_text=_("Each child gets their own case; the cases are linked."),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = report_provinces(user)
        self.fields["province"] = ProvinceChoiceField(provinces, label=_("Territory"))
        if len(provinces) == 1:
            self.fields["province"].initial = provinces[0].pk
        self.fields["received_at"].initial = _now_local
        self.fields["concerns"].choices = concern_choices
        self.fields["triage_level"].choices = [
            ("", "—"),
            (1, codes.label("risk_level", "1")),
            (2, codes.label("risk_level", "2")),
        ]

    def clean(self):
        data = super().clean()
        if not data.get("reporter_anonymous") and not any(
            data.get(k) for k in ("reporter_name", "reporter_relationship", "reporter_phone")
        ):
            self.add_error(
                "reporter_name", _("Give the reporter's name, or tick “anonymous reporter”.")
            )
        if not data.get("immediate_danger_flags") and not data.get("triage_level"):
            self.add_error(
                "triage_level", _("With no immediate danger, choose triage level 1 or 2.")
            )
        return data

    def report_input(self, children: list[services.ChildInput]) -> services.ReportInput:
        data = self.cleaned_data
        reporter = None
        if not data["reporter_anonymous"]:
            reporter = {
                "name": data["reporter_name"],
                "relationship": data["reporter_relationship"],
                "phone": data["reporter_phone"],
                "type": data["reporter_type"] or "professional",
            }
        return services.ReportInput(
            received_at=data["received_at"],
            channel=data["channel"],
            province=data["province"],
            narrative=data["narrative"],
            concerns=list(data["concerns"]),
            children=children,
            immediate_danger_flags=list(data["immediate_danger_flags"]),
            reporter=reporter,
            offence_suspected=data["offence_suspected"] or None,
            triage_level=None if data["immediate_danger_flags"] else data["triage_level"],
            external_reference=data["external_reference"],
            siblings=data["siblings"],
        )


def concern_choices() -> list:
    """The concern sub-categories grouped under their category (optgroups)."""
    groups: dict[str, list] = {}
    for entry in codes.entries("concern_subcategory"):
        groups.setdefault(entry.parent_code, []).append((entry.code, entry.label()))
    return [
        (category.label(), groups[category.code])
        for category in codes.entries("concern_category")
        if category.code in groups
    ]


# --- case actions --------------------------------------------------------------------------------


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=20, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = _text(_("Reason"), max_length=2000, rows=2)

    def closure(self) -> dict:
        return {}


class CloseForm(TransitionForm):
    """Closure (T4, T8, T9): the checklist of circuit.md §5.4 is the service's guard."""

    closure_reason = CodeChoiceField("closure_reason", label=_("Closure reason"))
    goals_outcome = CodeChoiceField("goals_outcome", label=_("Goals outcome"))
    living_situation = CodeChoiceField("living_situation", label=_("Living situation at closure"))
    education_status = CodeChoiceField("education_status", label=_("Education status at closure"))
    child_views = _text(_("The child's views on closure"), max_length=4000, rows=2)
    views_not_obtained_reason = CodeChoiceField(
        "views_not_obtained_reason",
        label=_("…or why the child's views could not be obtained"),
        required=False,
    )

    # The service names closure fields "closure.<key>"; the form's names for them.
    SERVICE_FIELDS = {"closure.reason": "closure_reason"}

    def closure(self) -> dict:
        data = self.cleaned_data
        closure = {
            "reason": data["closure_reason"],
            "goals_outcome": data["goals_outcome"],
            "living_situation": data["living_situation"],
            "education_status": data["education_status"],
        }
        if data["child_views"]:
            closure["child_views"] = data["child_views"]
        if data["views_not_obtained_reason"]:
            closure["views_not_obtained_reason"] = data["views_not_obtained_reason"]
        return closure


class AssignForm(forms.Form):
    """One select: the people of the case's organisation who hold the case manager or evaluator
    role, grouped by role; the value carries both ("case_manager:12")."""

    assignee = forms.ChoiceField(label=_("Person and role"))

    SERVICE_FIELDS = {"user": "assignee", "as": "assignee"}

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for membership in candidates:
            groups.setdefault(membership.role, []).append(
                (
                    f"{membership.role}:{membership.user_id}",
                    membership.user.display_name,
                )
            )
        self.users = {m.user_id: m.user for m in candidates}
        self.fields["assignee"].choices = [("", "—")] + [
            (codes.label("user_role", role), options) for role, options in sorted(groups.items())
        ]

    def clean_assignee(self):
        role, _sep, user_id = self.cleaned_data["assignee"].partition(":")
        return role, self.users[int(user_id)]


class SafetyActionForm(forms.Form):
    action_type = CodeChoiceField("safety_action_type", label=_("Action"))
    requested_at = forms.DateTimeField(
        label=_("Requested at"), widget=LocalDateTimeInput(), initial=_now_local
    )
    completed_at = forms.DateTimeField(
        label=_("Completed at"), widget=LocalDateTimeInput(), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SAFETY_OUTCOMES, required=False)
    provider = forms.ModelChoiceField(
        queryset=None,
        label=_("Provider or place (emergency placement: the shelter)"),
        required=False,
    )
    note = _text(_("Note"), max_length=4000, rows=2)

    # Who can act in an emergency (circuit.md §4.3): care, police, SAMU social, shelters.
    PROVIDER_TYPES = (
        "hospital_unit",
        "police_cell",
        "gendarmerie_cell",
        "samu_social",
        "eps",
        "association",
        "cpe",
        "prosecutor_cell",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from himaya.accounts.models import Organisation

        self.fields["provider"].queryset = Organisation.objects.filter(
            active=True, type__in=self.PROVIDER_TYPES
        ).order_by("code")


class EmergencyResolveForm(forms.Form):
    note = _text(_("How the emergency was resolved"), max_length=4000, rows=2)


class JudicialReportForm(forms.Form):
    referral_type = CodeChoiceField(
        "judicial_referral_type", label=_("Type"), initial="offence_report"
    )
    court = _text(_("Court (prosecutor's office)"), required=True)
    sent_at = forms.DateTimeField(
        label=_("Sent at"), widget=LocalDateTimeInput(), initial=_now_local
    )
    reference = _text(_("Reference"), max_length=100)
    transmission = CodeChoiceField("transmission_method", label=_("Transmission"), required=False)
    made_by = forms.ChoiceField(
        label=_("Made by"),
        choices=[("us", _("Our organisation")), ("other_body", _("Another body"))],
        initial="us",
    )
    cover_linked = forms.BooleanField(
        label=_("The same report covers the linked siblings' cases"), required=False
    )


class JudicialWaiveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Mandatory task"))
    reason_code = CodeChoiceField("waiver_reason", label=_("Reason"))
    note = _text(_("Justification"), max_length=4000, required=True, rows=2)

    # The service calls the reason code "reason".
    SERVICE_FIELDS = {"reason": "reason_code"}

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, codes.label("task_type", k)) for k in kinds]


class JudicialMeasureForm(forms.Form):
    measure_type = CodeChoiceField("judicial_measure_type", label=_("Measure"))
    decided_at = forms.DateField(label=_("Decided on"), widget=DateInput())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput(), required=False)
    review_on = forms.DateField(label=_("Review on"), widget=DateInput(), required=False)
    received_on = forms.DateField(
        label=_("Date the CAPE received the decision"), widget=DateInput(), required=False
    )

    SERVICE_FIELDS = {"type": "measure_type"}


class HearingForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Date and time of the hearing"), widget=LocalDateTimeInput()
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("hearing", _("Hearing")),
            ("child_interview", _("Interview of the child")),
            ("measure_review", _("Review of the measure")),
        ],
    )


class LSReportForm(forms.Form):
    """A quarterly supervised-liberty report sent to the judge (circuit.md §7.1, R5)."""

    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())
    reference = _text(_("Reference"), max_length=100)
    compliance = forms.ChoiceField(
        label=_("Compliance"),
        required=False,
        choices=[
            ("", "—"),
            ("satisfactory", _("Satisfactory")),
            ("concerns", _("Concerns")),
            ("breach", _("Breach")),
        ],
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        required=False,
        choices=[
            ("", "—"),
            ("continue", _("Continue the measure")),
            ("modify", _("Modify the measure")),
            ("end", _("End the measure")),
        ],
    )
    summary = _text(_("Summary"), max_length=8000, rows=3)


class ReferralOutcomeForm(forms.Form):
    """The prosecutor's answer to a report."""

    outcome = CodeChoiceField("judicial_referral_outcome", label=_("Answer of the prosecutor"))
    outcome_on = forms.DateField(label=_("On"), widget=DateInput())
    reference = _text(_("Parquet reference"), max_length=100)


class PlanActionForm(forms.Form):
    service = CodeChoiceField("service_type", label=_("Service"))
    goal = _text(_("Goal"), max_length=300, required=True)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class PlanActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=list(PLAN_ACTION_STATUS_LABELS.items()))
    note = _text(_("Review note"), max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    happened_at = forms.DateTimeField(
        label=_("When"), widget=LocalDateTimeInput(), initial=_now_local
    )
    kind = CodeChoiceField("follow_up_contact_type", label=_("Contact"))
    child_seen = forms.BooleanField(label=_("The child was seen"), required=False)
    new_concern = forms.BooleanField(label=_("A new concern came up"), required=False)
    notes = _text(_("Observations"), max_length=8000, rows=3)


class InformationViewsForm(forms.Form):
    """Reception, step 5 (circuit.md §4.2): information given and the child's first views."""

    information_given = _text(
        _("Information and orientation given to the child and the caregivers"),
        max_length=8000,
        rows=3,
    )
    first_child_views = _text(_("The child's first views"), max_length=8000, rows=3)
    first_views_not_obtained_reason = CodeChoiceField(
        "views_not_obtained_reason",
        label=_("…or why they could not be obtained"),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class PlanViewsForm(forms.Form):
    plan_child_views = _text(_("The child's views on the plan"), max_length=8000, rows=3)
    plan_views_not_obtained_reason = CodeChoiceField(
        "views_not_obtained_reason",
        label=_("…or why they could not be obtained"),
        required=False,
    )
    plan_caregiver_views = _text(_("The caregivers' views on the plan"), max_length=8000, rows=2)
    caregiver_consent = CodeChoiceField(
        "yes_no_unknown", label=_("Caregivers' consent"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class TransferRequestForm(forms.Form):
    to_organisation = forms.ChoiceField(label=_("To"))
    reason = CodeChoiceField("transfer_reason", label=_("Reason"))
    note = _text(_("Note"), max_length=4000, rows=2)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["to_organisation"].choices = [("", "—")] + [
            (str(o.pk), f"{o.name} ({o.code})") for o in organisations
        ]

    def clean_to_organisation(self):
        return self.organisations[self.cleaned_data["to_organisation"]]


class TransferDecideForm(forms.Form):
    """Rendered as the reason and two submit buttons, "accept" (1) and "refuse" (0)."""

    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Refuse"))], coerce=lambda value: value == "1"
    )
    reason = _text(_("Reason for refusing"), max_length=2000)


# --- lists ---------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    stage = CodeChoiceField("case_stage", label=_("Stage"), required=False)
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, empty_value=None, required=False)
    after = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [
            (int(code), label) for code, label in codes.choices("risk_level")
        ]


class RelationForm(forms.Form):
    """A related adult of the child: family member, caregiver or alleged perpetrator."""

    relationship = CodeChoiceField("relationship", label=_("Relationship to the child"))
    name_ar = forms.CharField(label=_("Name (Arabic script)"), max_length=200, required=False)
    name_lat = forms.CharField(label=_("Name (Latin script)"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False)
    is_primary_caregiver = forms.BooleanField(label=_("Primary caregiver"), required=False)
    is_legal_representative = forms.BooleanField(label=_("Legal representative"), required=False)
    is_alleged_perpetrator = forms.BooleanField(label=_("Alleged perpetrator"), required=False)
    perpetrator_has_access = forms.BooleanField(
        label=_("Still has access to the child"), required=False
    )
