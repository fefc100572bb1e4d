"""Template filters for the review pages: a stored diff entry's fields as people read them."""

from django import template

from ..console.changes import field_changes

register = template.Library()


@register.filter
def changes_read(fields):
    """Return each changed field of a diff entry, named and compared in words."""
    return field_changes(fields or {})
