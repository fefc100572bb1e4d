"""The drafts behind "Open in BoneCare": an assessment mapped from the EHR's record, opened
by the first clinician who follows the link, and from then on by nobody else."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from .models import ConsultationDraft

KEY_LENGTHS = range(20, 65)


def draft_open(*, key: object, by: AbstractBaseUser) -> dict[str, object] | None:
    """Return the assessment of a live draft for this clinician, who holds it from the first
    time they open it; None when it is unknown, expired or held by another clinician."""
    draft = draft_held(key=key, by=by)
    return draft.assessment if draft is not None else None


def draft_held(*, key: object, by: AbstractBaseUser) -> ConsultationDraft | None:
    """The live draft (its assessment and the EHR's patient id), held by this clinician from
    the first time they open it; None when unknown, expired or held by another clinician."""
    if not isinstance(key, str) or len(key) not in KEY_LENGTHS:
        return None
    now = timezone.now()
    live = ConsultationDraft.objects.filter(key=key, expires_at__gt=now)
    # One UPDATE decides a race between two clinicians: the second finds it held.
    live.filter(opened_by__isnull=True).update(opened_by=by, opened_at=now)
    return live.filter(opened_by=by).only("assessment", "fhir_patient_id").first()
