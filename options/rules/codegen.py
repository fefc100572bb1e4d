"""The ground for writing rule conditions as Python source (inline.py, generated.py).

Why: an evaluation asks some hundred conditions, and a closure call per condition and per
part (predicates.py) is most of its cost. Each condition becomes statements in one generated
function, with the same three-valued answers, in the same order, as predicates.py gives:
value True/False/None, the missing inputs in the order met, the lesions matched. Here: the
source and its constants, and what is settled before evaluation.

Rule data never enters the source text. Every value from it (a fact name, a comparison
value, a text, a test) is a constant the source names by an identifier made here (k12), and
the only other names in the source are made here too (s3 for slot 3, f2 for a patient fact).
Conditions were checked against the vocabulary when the ruleset was compiled (conditions.py).
"""

from typing import TYPE_CHECKING

from .predicates import FALSE, NONE, TRUE, comparison_test
from .vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS

if TYPE_CHECKING:
    from .compiled import CompiledRuleSet

SCOPE_FACTS = {"patient": PATIENT_FACTS, "lesion": LESION_FACTS, "prior": PRIOR_FACTS}
COLLECTIONS = {"lesion": "lesions", "prior": "prior_treatments"}
# A comparison as source, the rule's value on the left as operator.OP(value, v) has it
# (predicates.comparison_test): "{k}" is the value's constant, "{v}" the fact.
COMPARISONS = {"eq": "{k} == {v}", "is": "{k} == {v}", "ne": "{k} != {v}",
               "in": "{v} in {k}", "not_in": "{v} not in {k}", "lt": "{k} > {v}",
               "le": "{k} >= {v}", "gt": "{k} < {v}", "ge": "{k} <= {v}"}
MAX_DEPTH = 48  # deeper than this (Python allows 100 indents), a part calls its closure
STATIC = ("TRUE", "FALSE")  # the names of answers settled before evaluation


def _may_match_lesions(cond):
    """Whether a true answer to `cond` may carry lesions (an any passes its true part's on)."""
    if isinstance(cond, dict):
        return "any_lesion" in cond or any(_may_match_lesions(v) for v in cond.values())
    if isinstance(cond, list):
        return any(_may_match_lesions(v) for v in cond)
    return False


def slot_conditions(ruleset: "CompiledRuleSet") -> dict:
    """Return {slot: the condition answered there} over every rule of a CompiledRuleSet."""
    found = {}
    compiled = [*ruleset.defines.values(), *ruleset.alerts]
    compiled += [c for rules in ruleset.by_option.values() for group in rules.values()
                 for c in group]
    for c in compiled:
        condition = c.rule.condition
        if c.rule.effect == "criterion" and "met" in condition:
            found[c.slot] = condition["met"]
            if c.when is not None:
                found[c.when_slot] = condition["when"]
        else:
            found[c.slot] = condition
    return found


class Source:
    """Lines of source, and the constants they name (by identifiers made here, never data)."""

    def __init__(self):
        self.lines = []
        self.constants = {}
        self._names = {}  # id(value) -> name; the values are kept alive in constants
        self._temps = 0

    def const(self, value: object) -> str:
        """Return the identifier under which the generated code finds `value`."""
        name = self._names.get(id(value))
        if name is None:
            name = self._names[id(value)] = f"k{len(self.constants)}"
            self.constants[name] = value
        return name

    def temp(self, prefix: str = "t") -> str:
        self._temps += 1
        return f"{prefix}{self._temps}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)


class Answers:
    """What is known of each condition before evaluation; inline.Conditions writes the rest.

    `blank` holds the answers settled before evaluation (compiled.py), `known` the patient
    facts that every assessment of the plan shares (its cancer type): conditions they decide
    become the constants TRUE and FALSE, so that the plan writer can drop what they decide.
    """

    def __init__(self, src, blank, slot_conditions, define_slots, parser, known=None):
        self.src = src
        self.known = known or {}  # patient fact -> its value in every assessment of the plan
        self.blank = blank
        self.slot_conditions = slot_conditions  # slot -> its (patient-level) condition
        self.define_slots = define_slots  # derived fact name -> its define rule's slot
        self.parser = parser  # for the closure of a part nested too deep to write inline
        self.patient_vars = {}  # fact name -> local name, loaded once per evaluation
        self.slots = set()  # slots the source keeps in locals
        self._static = {}
        self.closures = False  # whether a part is asked through its compiled closure
        self.priors = False  # whether the prior treatments are asked

    def ref(self, slot: int, depth: int) -> str:
        """Return the name holding the slot's answer, writing its computation if needed."""
        known = self.blank[slot]
        if known is None:
            known = self.static(self.slot_conditions[slot], "patient")
        if known is not None:
            return "TRUE" if known[0] else "FALSE"
        name = f"s{slot}"
        self.slots.add(slot)
        self.src.emit(depth, f"if {name} is None:")
        self.node(self.slot_conditions[slot], name, depth + 1, "patient", None)
        return name

    def node(self, cond: dict, target: str, depth: int, scope: str, item: str | None) -> None:
        """Write statements that leave the answer to `cond` in `target` (inline.py)."""
        raise NotImplementedError

    def patient_var(self, name: str) -> str:
        """Return the local that holds a patient fact (loaded once, at the start)."""
        if name not in self.patient_vars:
            self.patient_vars[name] = f"f{len(self.patient_vars)}"
        return self.patient_vars[name]

    def _where(self, name, scope):
        """Where a fact is found, as conditions.Parser._fact_kind resolves it."""
        if name in SCOPE_FACTS[scope]:
            return scope
        if name in PATIENT_FACTS:
            return "patient"
        if name in self.define_slots:
            return "derived"
        raise ValueError("unknown fact: the ruleset was not compiled")

    def static(self, cond: dict, scope: str) -> tuple | None:
        """Return TRUE or FALSE where the answer is that, exactly, before any evaluation
        (by the plan's known facts and settled answers), else None."""
        key = (id(cond), scope)  # kept with the condition, so the id stays its own
        if key not in self._static:
            self._static[key] = (cond, self._settled(cond, scope))
        return self._static[key][1]

    def _settled(self, cond, scope):
        if cond.get("always") is True:
            return TRUE
        if "fact" in cond:
            return self._static_fact(cond, scope)
        if "not" in cond:
            inner = self.static(cond["not"], scope)
            return None if inner is None else FALSE if inner[0] else TRUE
        if "unknown" in cond:
            return FALSE if self.static(cond["unknown"], scope) is not None else None
        if "all" in cond or "any" in cond:
            return self._static_junction("any" in cond, cond.get("any") or cond["all"], scope)
        return None

    def _static_fact(self, cond, scope):
        name = cond["fact"]
        where = self._where(name, scope)
        if where == "patient" and name in self.known:
            value = self.known[name]
        elif where == "derived":
            slot = self.define_slots[name]
            answer = self.blank[slot]
            if answer is None:
                answer = self.static(self.slot_conditions[slot], "patient")
            if answer is None:
                return None
            value = answer[0]
        else:
            return None
        op = next(key for key in cond if key != "fact")
        return TRUE if comparison_test(op, cond[op])(value) else FALSE

    def _static_junction(self, decisive, parts, scope):
        undecided = carry = False
        for part in parts:
            answer = self.static(part, scope)
            if answer is None:
                undecided = True
                carry = carry or _may_match_lesions(part)
            elif answer[0] is decisive:  # an all's false part decides it; an any's true
                return None if decisive and carry else answer  # part, unless one before
        return None if undecided else FALSE if decisive else TRUE  # could match lesions

    def _parts(self, decisive, parts, scope):
        """Return the parts left to ask, and whether a settled decisive part ends them:
        settled parts that do not decide say nothing (no inputs missing, no lesions)."""
        left = []
        for part in parts:
            answer = self.static(part, scope)
            if answer is None:
                left.append(part)
            elif answer[0] is decisive:
                return left, True
        return left, False

    def _test(self, cond, var):
        op = next(key for key in cond if key != "fact")
        value = cond[op]
        if op in ("in", "not_in"):
            value = frozenset(value)
        return COMPARISONS[op].format(k=self.src.const(value), v=var)

    def simple(self, cond: dict, scope: str) -> tuple | None:
        """Return (variable, test source, missing, unknown answer) for a patient fact or its
        negation, or None: such parts are asked without building answers."""
        negated = False
        while "not" in cond and len(cond) == 1 and isinstance(cond["not"], dict):
            negated, cond = not negated, cond["not"]
        if "fact" not in cond or self._where(cond["fact"], scope) != "patient":
            return None
        name = cond["fact"]
        var = self.patient_var(name)
        test = self._test(cond, var)
        unknown = (None, (name,), NONE)
        return var, f"not ({test})" if negated else test, self.src.const(unknown[1]), \
            self.src.const(unknown)
