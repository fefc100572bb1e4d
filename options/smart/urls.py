from django.urls import path

from . import views

urlpatterns = [
    path("launch", views.launch, name="smart-launch"),
    path("callback", views.callback, name="smart-callback"),
    path("", views.standalone_page, name="smart-standalone"),
    path("standalone", views.standalone_start, name="smart-standalone-start"),
    path("consultation/", views.consultation, name="smart-consultation"),
    path("jwks.json", views.jwks, name="smart-jwks"),
]
