"""Forms of the administration pages. They parse and validate input; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Membership, Organisation
from himaya.accounts.permissions import ROLE_PERMISSIONS
from himaya.core import codes
from himaya.core.models import Commune, Province, Region


class CodeChoiceField(forms.ChoiceField):
    """A choice among the active codes of a list, labelled in the user's language."""

    def __init__(self, list_name: str, **kwargs):
        self.list_name = list_name
        super().__init__(choices=lambda: codes.choices(list_name), **kwargs)


class OrganisationForm(forms.Form):
    code = forms.SlugField(label=_("Short code"), max_length=40)
    name_fr = forms.CharField(label=_("Name in French"), max_length=200)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200)
    type = CodeChoiceField("org_type", label=_("Type"))
    status = CodeChoiceField("org_status", label=_("Status"))
    province = forms.ModelChoiceField(
        Province.objects.order_by("code"), label=_("Territory"), required=False
    )
    parent = forms.ModelChoiceField(
        Organisation.objects.order_by("code"), label=_("Parent organisation"), required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def cleaned_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        province = data.get("province")
        data["region"] = province.region if province else None
        return data


class UserForm(forms.Form):
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$")
    first_name = forms.CharField(
        label=_("First name (Latin script)"), max_length=150, required=False
    )
    last_name = forms.CharField(label=_("Last name (Latin script)"), max_length=150, required=False)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("ar", "العربية"), ("fr", "Français"), ("en", "English")]
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class UserCreateForm(UserForm):
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, min_length=12
    )


class MembershipForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Organisation.objects.filter(active=True).order_by("code"), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Role"))
    scope = forms.ChoiceField(label=_("Territorial scope"), choices=Membership.Scope.choices)
    scope_region = forms.ModelChoiceField(
        Region.objects.order_by("code"), label=_("Region"), required=False
    )
    scope_province = forms.ModelChoiceField(
        Province.objects.order_by("code"), label=_("Province or prefecture"), required=False
    )
    scope_commune = forms.CharField(label=_("Commune (HCP code)"), max_length=14, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (c, label) for c, label in codes.choices("user_role") if c in ROLE_PERMISSIONS
        ]

    def clean_scope_commune(self):
        value = self.cleaned_data.get("scope_commune", "").strip()
        if not value:
            return None
        try:
            return Commune.objects.get(pk=value)
        except Commune.DoesNotExist:
            raise forms.ValidationError(_("No commune has this code.")) from None
