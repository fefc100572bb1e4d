from django.urls import path, re_path

from options.http.errors import not_found

from . import views

app_name = "cds_hooks"
urlpatterns = [
    path("cds-services", views.DiscoveryView.as_view(), name="discovery"),
    path("cds-services/<str:service_id>", views.ServiceView.as_view(), name="service"),
    path("cds-services/<str:service_id>/feedback", views.FeedbackView.as_view(),
         name="feedback"),
    # Anything else under /cds-services/ gets the error shape, not Django's HTML 404 page.
    re_path(r"^cds-services/.*$", not_found),
]
