"""Printable summaries of a stored consultation: one for the clinician, one for the patient."""

from django.shortcuts import render

from ..presenters import consultation_view
from .access import clinician_required, own_consultation


@clinician_required
def consultation_print_clinician(request, pk):
    """Show a one-page clinical summary of the stored advice, laid out for A4."""
    consultation = own_consultation(request, pk)
    return render(request, "options/print_clinician.html", consultation_view(consultation))


@clinician_required
def consultation_print_patient(request, pk):
    """Show the options in plain language: what each is, how it is given, which were discussed."""
    consultation = own_consultation(request, pk)
    return render(request, "options/print_patient.html",
                  consultation_view(consultation, patient=True))
