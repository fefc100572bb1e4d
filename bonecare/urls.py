from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from options.failure import healthz, readyz
from options.sign_in import SignInForm

# A failure raised outside a view (a session or user lookup) reaches this, not a middleware.
handler500 = "options.failure.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Answered by options.failure.AvailabilityMiddleware before sessions; listed for reverse().
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("guidance/", include("guidance.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(
        redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("consultations/", include("options.web.urls")),
    path("", RedirectView.as_view(pattern_name="consultation-list"), name="home"),
    path("api/", include("options.api.urls")),
]
