"""Forms of the directory pages: they parse; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.core import codes
from himaya.directory.models import Institution, Service

LANGUAGE_CHOICES = [
    ("ar", _("Arabic")),
    ("ber", _("Amazigh")),
    ("fr", _("French")),
    ("en", _("English")),
    ("es", _("Spanish")),
]


def _service_choices():
    return [(s.code, s.label) for s in Service.objects.filter(active=True).order_by("sort_order")]


class InstitutionOwnForm(forms.Form):
    """What an institution's own users maintain."""

    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=150, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=200, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label=_("Youngest age admitted"), min_value=0, max_value=17)
    age_max = forms.IntegerField(label=_("Oldest age admitted"), min_value=0, max_value=17)
    sexes = forms.ChoiceField(label=_("Sexes admitted"), choices=Institution.Sexes.choices)
    capacity = forms.IntegerField(label=_("Capacity (places)"), min_value=0, required=False)
    occupancy = forms.IntegerField(label=_("Current occupancy"), min_value=0)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(
        label=_("Longitude"), min_value=-180, max_value=180, required=False
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = _service_choices()

    @classmethod
    def initial_for(cls, institution: Institution) -> dict:
        return {
            **{name: getattr(institution, name) for name in cls.base_fields if hasattr(institution, name) and name != "services"},
            "services": [s.code for s in institution.services.all()],
            "version": institution.version,
        }  # fmt: skip


class InstitutionAdminForm(InstitutionOwnForm):
    """Administrators also set identity, type, area and the maintaining organisation."""

    name_fr = forms.CharField(label=_("Name in French"), max_length=200)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200)
    type = forms.ChoiceField(label=_("Type"))
    organisation = forms.CharField(
        label=_("Organisation whose users maintain it (code)"), max_length=40, required=False
    )
    managing_body = forms.CharField(label=_("Managing body"), max_length=200, required=False)
    supervising_authority = forms.CharField(
        label=_("Supervising authority"), max_length=200, required=False
    )
    authorisation_number = forms.CharField(
        label=_("Authorisation number"), max_length=60, required=False
    )
    province = forms.CharField(label=_("Territory (HCP code)"), max_length=12)
    commune = forms.CharField(label=_("Commune (HCP code)"), max_length=14, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = codes.choices("org_type")

    @classmethod
    def initial_for(cls, institution: Institution) -> dict:
        initial = super().initial_for(institution)
        initial.update(
            province=institution.province_id,
            commune=institution.commune_id or "",
            organisation=institution.organisation.code if institution.organisation else "",
        )
        return initial


class InstitutionCreateForm(InstitutionAdminForm):
    code = forms.SlugField(label=_("Short code"), max_length=60)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DirectoryFilterForm(forms.Form):
    province = forms.CharField(label=_("Territory (HCP code)"), max_length=12, required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    has_capacity = forms.BooleanField(label=_("With a free place"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All")), *codes.choices("org_type")]
        self.fields["service"].choices = [("", _("All")), *_service_choices()]


class SuggestForm(forms.Form):
    service = forms.ChoiceField(label=_("Service needed"))
    province = forms.CharField(label=_("Territory (HCP code)"), max_length=12)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(
        label=_("Longitude"), min_value=-180, max_value=180, required=False
    )
    age = forms.IntegerField(label=_("Child's age"), min_value=0, max_value=17, required=False)
    sex = forms.ChoiceField(
        label=_("Child's sex"),
        required=False,
        choices=[("", _("Any")), ("female", _("Girl")), ("male", _("Boy"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = _service_choices()

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both coordinates, or neither."))
        return data
