from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Hospital sign-in (OpenID Connect), accounts an administrator runs, and their audit."""

    name = "options.identity"
    label = "identity"
    verbose_name = "Accounts and sign-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import m2m_changed

        from . import audit, signals

        user_logged_in.connect(signals.sign_in_record, dispatch_uid="identity-sign-in")
        user_login_failed.connect(signals.sign_in_failure_record,
                                  dispatch_uid="identity-sign-in-failed")
        m2m_changed.connect(audit.role_changes_record, sender=get_user_model().groups.through,
                            dispatch_uid="identity-role-changes")
