from django.db import models


class CallCount(models.Model):
    """How many calls one client of one door (an API client, an EHR on CDS Hooks) made in one
    throttle window, shared by every worker; the window's count is all a throttle needs."""

    door = models.CharField(max_length=20, help_text='"api" or "cds_hooks".')
    caller = models.BigIntegerField(help_text="The client's id in its door.")
    period = models.PositiveIntegerField(help_text="Window length in seconds.")
    window_index = models.BigIntegerField(help_text="Seconds since the epoch // period.")
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["door", "caller", "period", "window_index"],
                                    name="unique_call_window"),
        ]

    def __str__(self) -> str:
        return f"{self.door} {self.caller}: {self.calls} calls in window {self.window_index}"


class AnonymousCallCount(models.Model):
    """How many calls without a valid credential came from one address in one throttle
    window, to either door.

    Counted here instead of one audit row per call, so a flood of bad tokens adds at most one
    row a minute per address; rows older than a week are removed as new windows open.
    """

    address = models.CharField(max_length=64, help_text="The caller's address, as axes sees it.")
    period = models.PositiveIntegerField(help_text="Window length in seconds.")
    window_index = models.BigIntegerField(help_text="Seconds since the epoch // period.")
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "api_anonymouscallcount"  # kept from the REST API, which counted them first
        constraints = [
            models.UniqueConstraint(fields=["address", "period", "window_index"],
                                    name="unique_anonymous_window"),
        ]
        indexes = [models.Index(fields=["window_index"], name="anonymous_window_idx")]
        verbose_name = "anonymous API calls"
        verbose_name_plural = "anonymous API calls"

    def __str__(self) -> str:
        return f"{self.address}: {self.calls} calls in window {self.window_index}"
