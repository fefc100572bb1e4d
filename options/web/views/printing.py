"""Printable summaries of a stored consultation: one for the clinician, one for the patient."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..presenters import conditions_said_once, consultation_view, inputs_view
from .access import clinician_required, own_consultation


@clinician_required
def consultation_print_clinician(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a one-page clinical summary of the stored advice and its inputs, laid out for A4."""
    consultation = own_consultation(request, pk)
    context = {**consultation_view(consultation), "inputs": inputs_view(consultation)}
    conditions_said_once(context["options"])
    return render(request, "options/print_clinician.html", context)


@clinician_required
def consultation_print_patient(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the options in plain language, each in the group it belongs to for this patient."""
    consultation = own_consultation(request, pk)
    return render(request, "options/print_patient.html",
                  consultation_view(consultation, patient=True))
