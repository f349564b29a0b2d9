"""Template helpers shared by every page."""

from django import template

from himaya.core import codes

register = template.Library()


@register.filter
def code_label(value: str, list_name: str) -> str:
    """`{{ case.stage|code_label:"case_stage" }}` — the label in the active language."""
    if value in (None, ""):
        return ""
    return codes.label(list_name, str(value))
