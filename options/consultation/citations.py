"""The guidance a result cites, kept with each consultation as it was shown then.

Pure functions: a result in, codes out; a document row in, its citation dict out. The
consultation stores the dicts (Consultation.citations), so a later edit of a document's title
or address changes future advice only.
"""

import datetime
from types import SimpleNamespace

CITATION_FIELDS = ("code", "title", "url", "publisher", "published", "replaced_by", "version")


def cited_codes(result: dict) -> list[str]:
    """Return the codes of every document a result cites, sorted."""
    codes = {alert.get("guidance") for alert in result.get("alerts", [])}
    for option in result.get("options", []):
        for item in (option.get("reasons", []) + option.get("criteria", [])
                     + (option.get("not_now") or [])):
            codes.add(item.get("guidance"))
    return sorted(code for code in codes if code)


def citation_of(document) -> dict:
    """Return one guidance document as the citation a consultation keeps."""
    published = document.published
    return {"code": document.code, "title": document.title, "url": document.url,
            "publisher": document.publisher,
            "published": published.isoformat() if published else "",
            "replaced_by": document.replaced_by, "version": document.version}


def citation_view(citation: dict) -> SimpleNamespace:
    """Return a stored citation for a template: attributes, and its date as a date."""
    published = citation.get("published") or ""
    return SimpleNamespace(**{**dict.fromkeys(CITATION_FIELDS, ""), **citation,
                              "published": datetime.date.fromisoformat(published)
                              if published else None, "replaced_since": False})
