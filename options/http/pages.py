"""Error pages for people: 400, 403, 404, 500 and a refused form (CSRF), in the look of the
part of BoneCare the person was in (the rules console under /admin/, or the clinicians'
pages), saying in words what happened and where to go next: their own home, or sign-in.

Nothing of the request or the error is shown (no address, no exception text, no setting):
the log has those. The machine doors (the REST API, CDS Hooks, the form's calculator)
answer in their JSON error shape instead. A failure while the database is unavailable is
the 503 of options.failure.
"""

import logging
import sys

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from options.failure import JSON_PATHS, database_unavailable, unavailable_response
from options.identity.roles import home_of

from .errors import error_body

logger = logging.getLogger(__name__)

# What happened, in words, by status: a heading, then what it means for the person.
PAGES = {
    400: ("BoneCare could not read that request", [
        "Your browser sent something BoneCare could not make sense of.",
        "Go back and try again. If it happens again, tell your system administrator."]),
    403: ("You cannot open this page", [
        "Your role in BoneCare does not include this page or this action.",
        "If your work needs it, ask your BoneCare administrator for the role; it takes "
        "effect the next time you sign in."]),
    404: ("Page not found", [
        "There is nothing at this address. If you typed it, check it. If you followed a "
        "link, what it pointed to may have moved or may no longer exist."]),
    500: ("Sorry, something went wrong", [
        "BoneCare could not finish what you asked. The problem has been recorded for your "
        "system administrator.",
        "Try again in a few minutes. If it goes on, use the NICE guidance directly and tell "
        "your system administrator."]),
}
SIGNED_OUT_403 = ["This page is for people signed in to BoneCare with a role that "
                  "includes it. Sign in, then try again."]
CSRF_PAGE = ("This form could not be accepted", [
    "BoneCare did not accept the form you sent, so nothing was saved. This happens when the "
    "page was opened before you last signed in, or your browser blocks BoneCare's cookies.",
    "Go back, reload the page, and send the form again."])
JSON_MESSAGES = {400: "The request could not be read.", 403: "Not allowed.",
                 404: "Nothing is found at this address.",
                 500: "The request could not be completed. Try again later."}


def _next_step(request: HttpRequest | None) -> tuple[str, str]:
    """Return (address, words) of where the person should go: their home, or sign-in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return reverse("login"), "Sign in"
    home = home_of(user)
    if home is None:
        return reverse("home"), "Go to the BoneCare home page"
    return reverse(home[0]), f"Go to {home[1]}"


def _in_console(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("admin:index"))


def error_page(request: HttpRequest, status: int, heading: str,
               explanation: list[str]) -> HttpResponse:
    """Render one error page, in the console's look under /admin/, else the site's."""
    if request.path.startswith(JSON_PATHS):
        return JsonResponse(error_body(status, [{"path": "", "message":
                                                 JSON_MESSAGES.get(status, heading)}]),
                            status=status)
    next_url, next_words = _next_step(request)
    context = {"status": status, "heading": heading, "explanation": explanation,
               "next_url": next_url, "next_words": next_words}
    if _in_console(request):
        context = {**admin.site.each_context(request), **context, "title": heading}
        return render(request, "admin/error.html", context, status=status)
    return render(request, "error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: rendered without the request's context, which may be what was wrong."""
    heading, explanation = PAGES[400]
    if request.path.startswith(JSON_PATHS):
        return error_page(request, 400, heading, explanation)
    return _without_request(400, heading, explanation)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: not the person's to open; says so, never why in the code's words."""
    heading, explanation = PAGES[403]
    if not request.user.is_authenticated:
        explanation = SIGNED_OUT_403
    return error_page(request, 403, heading, explanation)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: nothing here (an unknown address, or a record that does not exist)."""
    return error_page(request, 404, *PAGES[404])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form refused by the CSRF check: usually an old page; nothing was saved."""
    return error_page(request, 403, *CSRF_PAGE)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 if the database is unavailable (options.failure). Rendered without the
    request: looking up the session or the user may be what failed."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        return unavailable_response(request, exc)
    heading, explanation = PAGES[500]
    if request.path.startswith(JSON_PATHS):
        return error_page(request, 500, heading, explanation)
    return _without_request(500, heading, explanation)


def _without_request(status: int, heading: str, explanation: list[str]) -> HttpResponse:
    context = {"status": status, "heading": heading, "explanation": explanation,
               "next_url": "/", "next_words": "Go to the BoneCare home page"}
    try:
        return HttpResponse(render_to_string("error.html", context), status=status)
    except Exception:  # the page itself failed (a static file missing): say it plainly
        logger.exception("Error page %s could not be rendered", status)
        return HttpResponse(f"<!DOCTYPE html><title>{heading}</title><h1>{heading}</h1>",
                            status=status)
