from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("oidc/start/", views.sign_in_start, name="identity-start"),
    path("oidc/callback/", views.sign_in_callback, name="identity-callback"),
]
