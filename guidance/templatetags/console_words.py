"""Template filters for the console's pages: a stored code as people read it."""

from django import template

from options.choices import label

from ..console.words import status_words

register = template.Library()


@register.filter
def option_label(option):
    """An option by its name: "kyphoplasty" is "Balloon kyphoplasty"."""
    return label(option) if option else "all options"


@register.filter
def status_in_words(status):
    """A status as it reads in a sentence: "not_recommended" is "not recommended"."""
    return status_words(status)

