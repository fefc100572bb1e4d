from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("current-version", views.current_version, name="current_version"),
]
