"""What an API client may be allowed to do."""

EVALUATE = "evaluate"
CONSULTATIONS_READ = "consultations:read"
CONSULTATIONS_WRITE = "consultations:write"

SCOPES = (EVALUATE, CONSULTATIONS_READ, CONSULTATIONS_WRITE)
SCOPE_CHOICES = [
    (EVALUATE, "Evaluate assessments (nothing stored)"),
    (CONSULTATIONS_READ, "Read its own consultations"),
    (CONSULTATIONS_WRITE, "Store consultations"),
]
