from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView


class OkView(APIView):
    """Answer a small JSON object: DRF alone, no database, no authentication."""

    authentication_classes = []
    permission_classes = []

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("ok", OkView.as_view())]
