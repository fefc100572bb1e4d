"""The product's URLs plus a bare DRF view, for the API benchmark's gunicorn only.

bench.settings selects this module (ROOT_URLCONF); the product never serves /bench/bare.
"""

from django.urls import path
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bonecare.urls import urlpatterns as product_urlpatterns


class BareView(APIView):
    """Answer a small JSON object: DRF and the middleware, no database, no authentication."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"status": "ok"})


urlpatterns = [path("bench/bare", BareView.as_view()), *product_urlpatterns]
