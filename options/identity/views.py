"""Sign-in pages: the sign-in page, the provider's round trip, sign-out.

Every refusal answers a page that says what happened and what to do, and leaves an audit
row saying why (options.identity.failures); tokens are never logged or shown.
"""

from authlib.integrations.base_client import MismatchingStateError
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from options.identity.roles import ROLES, home_of
from options.identity.sign_in import SignInForm

from .backends import PROVIDER_BACKEND
from .client import metadata, oidc_client, provider_config
from .config import ProviderConfig
from .failures import PROVIDER_ERRORS, failure_response
from .services import provider_sign_in
from .tokens import assurance_asked, verified_claims

NEXT_KEY = "identity_next"
ID_TOKEN_KEY = "identity_id_token"


class SignInView(auth_views.LoginView):
    """The sign-in page: the provider's button when configured, the password form when allowed."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        config = provider_config()
        return super().get_context_data(
            **kwargs, provider=config, local_sign_in=settings.BONECARE_LOCAL_SIGN_IN)

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.BONECARE_LOCAL_SIGN_IN:
            return render(request, "registration/login.html", self.get_context_data(
                local_refused=True), status=403)
        return super().post(request, *args, **kwargs)


def role_home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role works from: a clinician to their
    consultations, a guidance editor or clinical safety officer to the rules console."""
    if not request.user.is_authenticated:
        return redirect("login")
    home = home_of(request.user)
    if home is not None:
        return redirect(home[0])
    return render(request, "identity/no_access.html",
                  {"roles": [role.group for role in ROLES.values()]}, status=403)


def admin_sign_in(request: HttpRequest,
                  extra_context: dict[str, object] | None = None) -> HttpResponse:
    """The admin's own sign-in page for passwords alone; BoneCare's with a provider.

    Someone signed in who is not admin staff is told the console is not theirs, rather than
    sent to sign in again (which, with a provider, came straight back here: a loop).
    """
    if request.user.is_authenticated and not request.user.is_staff:
        return render(request, "identity/admin_not_for_you.html", status=403)
    if settings.BONECARE_LOCAL_SIGN_IN and provider_config() is None:
        return admin.site.login(request, extra_context)
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


@require_POST
def sign_in_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider, remembering where to go afterwards."""
    config = _config_or_404()
    wanted = request.POST.get("next", "")
    request.session[NEXT_KEY] = wanted if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()) else ""
    client = oidc_client(config)
    try:
        metadata(client, config)
        return client.authorize_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("identity-callback")),
            **assurance_asked(config))
    except PROVIDER_ERRORS as error:
        return failure_response(request, error, subject="")


@require_GET
def sign_in_callback(request: HttpRequest) -> HttpResponse:
    """Check the provider's answer, then sign the person in with the roles it grants."""
    config = _config_or_404()
    client = oidc_client(config)
    try:
        token, claims = verified_claims(client, config, request)
    except (MismatchingStateError, *PROVIDER_ERRORS) as error:
        return failure_response(request, error, subject="")
    outcome = provider_sign_in(config=config, claims=claims, request=request)
    if outcome.user is None:
        logout(request)  # whoever was signed in here before, this browser now holds nobody
        return render(request, "identity/no_access.html", {
            "provider": config, "reason": outcome.refusal,
            "roles": [role.group.lower() for role in ROLES.values()]}, status=403)
    wanted = request.session.pop(NEXT_KEY, "") or settings.LOGIN_REDIRECT_URL
    login(request, outcome.user, backend=PROVIDER_BACKEND)
    request.session[ID_TOKEN_KEY] = token["id_token"]
    return redirect(wanted)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the BoneCare session and, where the provider offers it, the provider's too."""
    id_token = request.session.get(ID_TOKEN_KEY)
    logout(request)
    config = provider_config()
    if not (config and id_token):
        return redirect("signed-out")
    client = oidc_client(config)
    try:
        end_session = metadata(client, config).get("end_session_endpoint")
    except PROVIDER_ERRORS:
        end_session = None
    if not end_session:
        return redirect("signed-out")
    result = client.create_logout_url(
        post_logout_redirect_uri=request.build_absolute_uri(reverse("signed-out")),
        id_token_hint=id_token, client_id=config.client_id)
    return HttpResponseRedirect(result["url"])


def signed_out(request: HttpRequest) -> HttpResponse:
    """Say that the person is signed out."""
    return render(request, "identity/signed_out.html", {"provider": provider_config()})


def _config_or_404() -> ProviderConfig:
    config = provider_config()
    if config is None:
        raise Http404("Sign-in through an identity provider is not configured.")
    return config
