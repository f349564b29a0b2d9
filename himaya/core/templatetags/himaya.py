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


@register.filter
def bootstrap(field):
    """Render a bound form field with the Bootstrap class of its widget, and aria-invalid
    when it has errors (screen readers announce the error next to it)."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None)
    if input_type == "checkbox":
        css = "form-check-input"
    elif input_type == "select" or widget.__class__.__name__.endswith("Select"):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
