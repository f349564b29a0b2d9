"""Template filters of the directory."""

from django import template

from himaya.directory.diagnostic import suppress

register = template.Library()


@register.filter
def shown(value, suppressed: bool) -> str:
    """A count as shown to the reader: small counts suppressed for aggregate-only roles."""
    if suppressed:
        return suppress(value)
    return "—" if value is None else str(value)
