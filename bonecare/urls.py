from django.contrib import admin
from django.urls import include, path

from options.failure import healthz, readyz
from options.identity import views as identity_views

# A failure raised outside a view (a session or user lookup) reaches this, not a middleware.
handler500 = "options.failure.server_error"

urlpatterns = [
    path("admin/login/", identity_views.admin_sign_in),
    path("admin/logout/", identity_views.sign_out),
    path("admin/", admin.site.urls),
    # Answered by options.failure.AvailabilityMiddleware before sessions; listed for reverse().
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("guidance/", include("guidance.urls")),
    # Sign-in, local or through the hospital's identity provider, and sign-out.
    path("accounts/", include("options.identity.urls")),
    path("consultations/", include("options.web.urls")),
    path("", identity_views.role_home, name="home"),
    path("api/", include("options.api.urls")),
    path("", include("options.cds_hooks.urls")),
]
