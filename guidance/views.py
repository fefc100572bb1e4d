"""Public guidance views: which ruleset version is in use."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import NoPublishedRuleSet, published_compiled


@never_cache
@require_GET
def current_version(request):
    """Report the published ruleset version, read the way every evaluation reads it."""
    try:
        ruleset, _ = published_compiled()
    except NoPublishedRuleSet:
        return JsonResponse({"version": None}, status=503)
    return JsonResponse({"version": ruleset.version})
