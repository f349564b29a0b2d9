"""The child's identity form: parse and validate; `services.child_update` writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.forms import CodeChoiceField
from himaya.core.models import Commune


class ChildIdentityForm(forms.Form):
    identity_status = CodeChoiceField("identity_status", label=_("Identity"))
    first_name_ar = forms.CharField(
        label=_("First name (Arabic script)"), max_length=100, required=False
    )
    last_name_ar = forms.CharField(
        label=_("Last name (Arabic script)"), max_length=100, required=False
    )
    first_name_lat = forms.CharField(
        label=_("First name (Latin script)"), max_length=100, required=False
    )
    last_name_lat = forms.CharField(
        label=_("Last name (Latin script)"), max_length=100, required=False
    )
    known_as = forms.CharField(label=_("Known as (alias)"), max_length=150, required=False)
    sex = CodeChoiceField("sex", label=_("Sex"))
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_date_estimated = forms.BooleanField(label=_("Birth date estimated"), required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=150, required=False)
    nationality = CodeChoiceField("nationality", label=_("Nationality"))
    migrant_status = CodeChoiceField("migrant_status", label=_("Migrant status"))
    civil_registration_status = CodeChoiceField(
        "civil_registration_status", label=_("Civil registration")
    )
    disability = CodeChoiceField("yes_no_unknown", label=_("Disability"))
    education_status = CodeChoiceField("education_status", label=_("Schooling"))
    commune = forms.CharField(label=_("Commune (HCP code)"), max_length=14, required=False)
    current_address = forms.CharField(label=_("Current address"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_commune(self):
        value = self.cleaned_data.get("commune", "").strip()
        if not value:
            return None
        commune = Commune.objects.filter(pk=value).first()
        if commune is None:
            raise forms.ValidationError(_("No commune has this code."))
        return commune
