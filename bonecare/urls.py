from django.contrib import admin
from django.urls import include, path

from options.failure import healthz, readyz
from options.identity import views as identity_views

# Error pages in words, in the console's look under /admin/ and the site's elsewhere; JSON
# for the machine doors. handler500 also answers a failure raised outside a view (a session
# or user lookup), which no middleware sees: 503 when the database is unavailable.
handler400 = "options.http.pages.bad_request"
handler403 = "options.http.pages.permission_denied"
handler404 = "options.http.pages.page_not_found"
handler500 = "options.http.pages.server_error"

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
    # SMART App Launch: opened inside the EHR with the patient in context (options/smart).
    path("smart/", include("options.smart.urls")),
    path("", identity_views.role_home, name="home"),
    path("api/", include("options.api.urls")),
    path("", include("options.cds_hooks.urls")),
]
