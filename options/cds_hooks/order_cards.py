"""order-select and order-sign: a critical alert (cord compression) first as its own card,
whatever was ordered, then a card for each (selected) bone-strengthening draft order whose
option does not stand as recommended or consider. No Django."""

from collections.abc import Sequence

from guidance.codes import CodeLists
from options.choices import label
from options.vocab import DECISION_REASONS

from .cards import Card, Link, Result, Values, alert_cards, extension, order_card
from .fhir import HookRequest, draft_orders
from .mapping import Mapped
from .orders import bone_orders

# Offered as overrideReasons: the same coded reasons the result page offers, so that a reason
# given in the EHR is stored and reviewed as the same coded reason.
OVERRIDE_REASONS = tuple((code, label(code)) for code in DECISION_REASONS)


def _selections(request: HookRequest) -> set[str] | None:
    if request.hook != "order-select":
        return None
    selections = request.context.get("selections")
    return {s for s in selections if isinstance(s, str)} if isinstance(selections, list) \
        else set()


def orders_cards(request: HookRequest, mapped: Mapped, result: Result | None, *,
                 codes: CodeLists, url: str, links: Sequence[Link] = (),
                 missing: Sequence[str] | None = None,
                 values: Values | None = None) -> list[tuple[Card, str | None]]:
    """Return [(card, option)] for what BoneCare has to say about the draft orders; an
    alert's card has the option None. `values`: {option: the values that decided it}.

    Without a result (the record does not name the primary cancer: `missing`), every bone
    order gets an info card naming what BoneCare needs.
    """
    pairs = [(card, None) for card in alert_cards(result, mapped, url=url)] if result else []
    orders = bone_orders(draft_orders(request.context), selections=_selections(request),
                         codes=codes)
    for order, option in orders:
        if result is None:
            entry = {"option": option, "status": "needs_information", "missing": missing,
                     "summary": "The record does not say enough to advise.", "reasons": []}
        else:
            entry = next(o for o in result["options"] if o["option"] == option)
        card = order_card(order, entry, mapped, result, reasons=OVERRIDE_REASONS, url=url,
                          links=links, values=(values or {}).get(option, ()))
        if card is not None:
            if result is None:
                card["extension"] = extension(mapped, None, option=option,
                                              status="needs_information", missing=missing)
            pairs.append((card, option))
    return pairs
