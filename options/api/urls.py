from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from options.http.errors import not_found

from . import views

v1 = [
    path("evaluate", views.EvaluateView.as_view(), name="evaluate"),
    path("consultations", views.ConsultationsView.as_view(), name="consultations"),
    path("consultations/<int:pk>", views.ConsultationDetailView.as_view(),
         name="consultation-detail"),
    path("options", views.OptionsView.as_view(), name="options"),
    path("guidance", views.GuidanceView.as_view(), name="guidance"),
    path("rulesets/current", views.CurrentRuleSetView.as_view(), name="ruleset-current"),
    path("whoami", views.WhoAmIView.as_view(), name="whoami"),
]

# Swagger UI with its start-up script as a file, not inline; its stylesheet draws icons
# from data: URLs, which only this page allows.
docs = csp_update({"img-src": [SELF, "data:"]})(SpectacularSwaggerSplitView.as_view(
    url_name="api:schema", template_name="api/swagger_ui.html"))

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    # Anything else under /api/ gets the error shape, not Django's HTML 404 page.
    re_path(r"^.*$", not_found),
]
