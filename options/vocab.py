"""The vocabulary for Django code: the engine's closed lists plus audit channels.

The engine's lists live in options/rules/vocab.py (standard library only); this module
re-exports them so that models, forms and the API spell every value as the engine does.
"""

from .rules.engine import EFFECTS as RULE_EFFECTS
from .rules.vocab import *  # noqa: F403
from .rules.vocab import __all__ as _engine_names

EVALUATION_CHANNELS = ("form", "api", "cds_hooks", "cli")
EVALUATION_OUTCOMES = ("ok", "invalid", "error")

__all__ = [*_engine_names, "RULE_EFFECTS", "EVALUATION_CHANNELS", "EVALUATION_OUTCOMES"]
