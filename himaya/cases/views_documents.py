"""Download a case document after stating why (DP-30); the export is audited."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm
from himaya.cases import exports, selectors


class ExportForm(forms.Form):
    document = forms.ChoiceField(
        label=_("Document"),
        choices=[
            ("case_file", _("Case file")),
            ("prosecutor_letter", _("Letter to the prosecutor")),
        ],
    )
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=[("ar", "العربية"), ("fr", "Français")]
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[
            ("court_request", _("Court request")),
            ("transfer_outside_system", _("Transfer outside Himaya")),
            ("case_conference", _("Case conference")),
            ("legal_obligation", _("Legal obligation")),
            ("other", _("Other")),
        ],
    )
    note = forms.CharField(label=_("Why do you need it?"), max_length=500)
    court = forms.CharField(label=_("Court (for the letter)"), max_length=200, required=False)


@access(Perm.CHILD_VIEW_SUMMARY)
def case_document(request, case_id):
    case = selectors.case_get_for_user(
        request.user, case_id, Perm.CHILD_VIEW_SUMMARY, request=request, audit=False
    )
    initial = {
        "language": "ar" if (get_language() or "ar").startswith("ar") else "fr",
        "purpose": "legal_obligation",
    }
    form = ExportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["document"] == "case_file":
                export = exports.case_file_pdf(
                    actor=request.user,
                    case_id=case.pk,
                    language=data["language"],
                    purpose=data["purpose"],
                    note=data["note"],
                    request=request,
                )
            else:
                export = exports.prosecutor_letter_pdf(
                    actor=request.user,
                    case_id=case.pk,
                    language=data["language"],
                    court=data["court"],
                    purpose=data["purpose"],
                    note=data["note"],
                    request=request,
                )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            response = HttpResponse(export.content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "cases/document_form.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )
