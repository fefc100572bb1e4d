from django.urls import path

from . import views
from .views.consultations import consultation_derive
from .views.decisions import consultation_decision

urlpatterns = [
    path("", views.consultation_list, name="consultation-list"),
    path("new/", views.consultation_new, name="consultation-new"),
    path("derive/", consultation_derive, name="consultation-derive"),
    path("<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("<int:pk>/copy/", views.consultation_copy, name="consultation-copy"),
    path("<int:pk>/decisions/<slug:option>/", consultation_decision,
         name="consultation-decision"),
    path("<int:pk>/print/clinician/", views.consultation_print_clinician,
         name="consultation-print-clinician"),
    path("<int:pk>/print/patient/", views.consultation_print_patient,
         name="consultation-print-patient"),
]
