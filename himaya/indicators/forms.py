from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.core.models import Province
from himaya.indicators.registry import INDICATORS, RECORDED


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", "CSV"),
            ("xlsx", "XLSX"),
            ("pdf", _("Annual report (PDF)")),
            ("dhis2", "DHIS2 dataValueSets (JSON)"),
            ("adx", "DHIS2 ADX (XML)"),
        ],
    )
    period = forms.CharField(label=_("Period"), max_length=7, help_text="2026, 2026-Q3, 2026-11")
    province = forms.CharField(
        label=_("Province or prefecture (HCP code)"), max_length=12, required=False
    )
    region = forms.CharField(label=_("Region (HCP code)"), max_length=2, required=False)
    language = forms.ChoiceField(
        label=_("Report language"), choices=[("ar", "العربية"), ("fr", "Français")], required=False
    )
    purpose = forms.CharField(label=_("Purpose of the export"), max_length=300)


class ProgrammeRecordForm(forms.Form):
    indicator = forms.ChoiceField(
        label=_("Indicator"), choices=[(c, f"{c} — {INDICATORS[c].name}") for c in RECORDED]
    )
    province = forms.ModelChoiceField(
        label=_("Province or prefecture"), queryset=Province.objects.order_by("code")
    )
    reference_date = forms.DateField(
        label=_("Reference date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.IntegerField(label=_("Value"), min_value=0)
    source_document = forms.CharField(label=_("Source document"), max_length=300)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
