"""DRF throttles over the shared window counts (counting.py): one per door's clients, and
one per address for calls without a valid credential."""

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from .counting import anonymous_calls_in_window, calls_in_window, parse_rate


class WindowThrottle(BaseThrottle):
    """Allow the rate named by `rate_setting` per fixed window of a count every worker
    shares; `count` adds this call and returns the window's calls, or None to let it pass
    uncounted."""

    rate_setting = ""

    def allow_request(self, request: Request, view: APIView) -> bool:
        limit, period = parse_rate(getattr(settings, self.rate_setting))
        now = time.time()
        window_index = int(now // period)
        self.wait_seconds = period - (now - window_index * period)
        calls = self.count(request, period, window_index)
        return calls is None or calls <= limit

    def count(self, request: Request, period: int, window_index: int) -> int | None:
        raise NotImplementedError

    def wait(self) -> float:
        return self.wait_seconds


class ClientRateThrottle(WindowThrottle):
    """Count each authenticated client's calls (request.auth) in its door's windows."""

    door = ""

    def count(self, request: Request, period: int, window_index: int) -> int | None:
        if request.auth is None:
            return None
        return calls_in_window(door=self.door, caller=request.auth.pk, period=period,
                               window_index=window_index)


class AnonymousRateThrottle(WindowThrottle):
    """Count calls without a valid credential per client address (the address django-axes
    uses, behind DJANGO_TRUSTED_PROXY_COUNT proxies), and refuse beyond
    BONECARE_API_ANONYMOUS_RATE."""

    rate_setting = "BONECARE_API_ANONYMOUS_RATE"

    def count(self, request: Request, period: int, window_index: int) -> int:
        address = get_client_ip_address(request) or "unknown"
        return anonymous_calls_in_window(address=address[:64], period=period,
                                         window_index=window_index)
