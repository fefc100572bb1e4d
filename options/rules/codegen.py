"""Write Python source that answers rule conditions inline, for options/rules/generated.py.

Why: an evaluation asks some hundred conditions, and a closure call per condition and per
part (predicates.py) is most of its cost. Here each condition becomes statements in one
generated function, with the same three-valued answers, in the same order, as predicates.py
gives: value True/False/None, the missing inputs in the order met, the lesions matched.

Rule data never enters the source text. Every value from it (a fact name, a comparison
value, a text, a test) is a constant the source names by an identifier made here (k12), and
the only other names in the source are made here too (s3 for slot 3, f2 for a patient fact).
Conditions were checked against the vocabulary when the ruleset was compiled (conditions.py).
"""

from .predicates import FALSE, NONE, TRUE, comparison_test
from .vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS

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


class Source:
    """Lines of source, and the constants they name (by identifiers made here, never data)."""

    def __init__(self):
        self.lines = []
        self.constants = {}
        self._names = {}  # id(value) -> name; the values are kept alive in constants
        self._temps = 0

    def const(self, value) -> str:
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


class Conditions:
    """Write the statements that answer each condition slot, lazily and once per evaluation.

    `blank` holds the answers settled before evaluation (compiled.py): those become the
    constants TRUE and FALSE, so that the plan writer can drop what they decide.
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

    def patient_var(self, name):
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

    def static(self, cond, scope):
        """Return TRUE or FALSE where the answer is that, exactly, before any evaluation
        (by the plan's known facts and settled answers), else None."""
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

    def simple(self, cond, scope):
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

    def node(self, cond, target, depth, scope, item):
        """Write statements that leave the answer to `cond` in `target`."""
        emit = self.src.emit
        answer = self.static(cond, scope)
        if answer is not None:
            emit(depth, f"{target} = {'TRUE' if answer[0] else 'FALSE'}")
            return
        if depth > MAX_DEPTH:
            predicate = self.parser.compile(cond, "condition", scope)
            emit(depth, f"{target} = {self.src.const(predicate)}(facts, {item or 'None'})")
            return
        key = "fact" if "fact" in cond else next(iter(cond))
        arg = cond.get(key)
        if key in ("all", "any"):
            self.junction(key == "any", arg, target, depth, scope, item)
        elif key == "unknown":
            part = self.src.temp()
            self.node(arg, part, depth, scope, item)
            emit(depth, f"{target} = TRUE if {part}[0] is None else FALSE")
        elif key in ("any_lesion", "any_prior"):
            self.quantifier(key, arg, target, depth)
        elif key == "not" and not self._plain(arg, scope):
            part = self.src.temp()
            self.node(arg, part, depth, scope, item)
            emit(depth, f"{target} = (None, {part}[1], NONE) if {part}[0] is None else "
                        f"FALSE if {part}[0] else TRUE")
        elif self._derived(cond, scope) and cond.get("is", cond.get("eq")) is True:
            answer = self.ref(self.define_slots[cond["fact"]], depth)  # not settled here
            emit(depth, f"{target} = TRUE if {answer}[0] is True else {answer}")
        else:  # a fact, or a negated one
            self.branch(cond, depth, scope, item, lambda d, _: emit(d, f"{target} = TRUE"),
                        lambda d, missing: emit(d, f"{target} = (None, {missing}, NONE)"),
                        lambda d: emit(d, f"{target} = FALSE"))

    def _plain(self, cond, scope):
        """Whether `cond` is a fact or a negated fact, written inline by branch()."""
        while "not" in cond:
            cond = cond["not"]
        return "fact" in cond

    def _derived(self, cond, scope):
        return "fact" in cond and self._where(cond["fact"], scope) == "derived"

    def branch(self, cond, depth, scope, item, held, missing, failed=None):
        """Write statements that ask `cond` and then held(depth, answer) if it holds,
        missing(depth, inputs) if it cannot be decided, failed(depth) if it does not hold.

        A fact or a negated fact is asked inline, without building its answer (the
        answer is TRUE, FALSE or unknown with the inputs predicates.py would name).
        """
        emit, temp, const = self.src.emit, self.src.temp, self.src.const
        negated = False
        while "not" in cond and self._plain(cond, scope):
            negated, cond = not negated, cond["not"]
        hold_ = lambda d: held(d, "TRUE")  # noqa: E731 - the bodies of the cases below
        fail_ = (lambda d: failed(d)) if failed else None
        yes_, no_ = (fail_, hold_) if negated else (hold_, fail_)  # the fact true, false
        if "fact" not in cond:
            answer = temp()
            self.node(cond, answer, depth, scope, item)
            self._cases(depth, [(f"{answer}[0] is True", lambda d: held(d, answer)),
                                (f"{answer}[0] is None", lambda d: missing(d, f"{answer}[1]")),
                                ("", failed and (lambda d: failed(d)))])
            return
        where = self._where(cond["fact"], scope)
        if where == "patient":
            var, test, names, _ = self.simple(cond, scope)
            self._cases(depth, [(f"{var} is None", lambda d: missing(d, names)),
                                (test, yes_), ("", no_)])
        elif where == "derived":
            answer = self.ref(self.define_slots[cond["fact"]], depth)
            self._cases(depth, [(f"{answer}[0] is None", lambda d: missing(d, f"{answer}[1]")),
                                (self._test(cond, f"{answer}[0]"), yes_), ("", no_)])
        else:
            name, value, found = const(cond["fact"]), temp("v"), temp()
            op = next(key for key in cond if key != "fact")
            test = const(comparison_test(op, cond[op]))
            emit(depth, f"{value} = {item}[1][{name}]")

            def unsure(d):  # unknown, or a score that unknown findings leave open
                emit(d, f"{found} = item_value({item}, {name}, {test}, "
                        f"{const(COLLECTIONS[where])})")
                self._cases(d, [(f"{found}[0] is True", yes_),
                                (f"{found}[0] is None", lambda d: missing(d, f"{found}[1]")),
                                ("", no_)])

            self._cases(depth, [(f"{value} is NOT_APPLICABLE", no_),
                                (f"{value} is None or {value}.__class__ is Possible", unsure),
                                (self._test(cond, value), yes_), ("", no_)])

    def _cases(self, depth, cases):
        """Write an if/elif/else chain; a case without a body is a pass (or left out)."""
        emit = self.src.emit
        while cases and cases[-1][1] is None:
            cases = cases[:-1]  # trailing cases that do nothing
        for i, (test, body) in enumerate(cases):
            emit(depth, "else:" if not test else f"if {test}:" if i == 0 else f"elif {test}:")
            if body is None:
                emit(depth + 1, "pass")
            else:
                body(depth + 1)

    def junction(self, decisive, parts, target, depth, scope, item):
        """An all (decisive False) or any (decisive True), as predicates.all_of / any_of."""
        parts, ends = self._parts(decisive, parts, scope)
        if ends and not decisive:
            self.src.emit(depth, f"{target} = FALSE")
            return
        if len(parts) == 1 and not ends:  # the same answer as its one part's
            self.node(parts[0], target, depth, scope, item)
            return
        simple = [self.simple(part, scope) for part in parts]
        if all(simple) and not ends:
            self._simple_junction(decisive, simple, target, depth)
            return
        emit, temp = self.src.emit, self.src.temp
        result, missing, lesions = temp("r"), temp("m"), temp("l")
        emit(depth, f"{result} = {missing} = {lesions} = None")
        add = "{m} = {p} if {m} is None else {m} + {p}"

        def held(d, answer):
            if decisive:
                emit(d, f"{result} = {answer}")
            elif answer != "TRUE":  # an all keeps the lesions its true parts matched
                emit(d, f"if {answer}[2]:")
                emit(d + 1, add.format(m=lesions, p=f"{answer}[2]"))
            else:
                emit(d, "pass")

        for i, part in enumerate(parts):
            inner = depth
            if i:
                emit(depth, f"if {result} is None:")
                inner = depth + 1
            self.branch(part, inner, scope, item, held,
                        lambda d, p: emit(d, add.format(m=missing, p=p)),
                        None if decisive else (lambda d: emit(d, f"{result} = FALSE")))
        emit(depth, f"if {result} is None:")
        emit(depth + 1, f"{result} = " + (
            "TRUE" if ends  # a settled true part ends this any
            else f"FALSE if {missing} is None else (None, {missing}, NONE)" if decisive
            else f"(None, {missing}, NONE) if {missing} is not None else "
                 f"(True, NONE, {lesions}) if {lesions} is not None else TRUE"))
        emit(depth, f"{target} = {result}")

    def _simple_junction(self, decisive, simple, target, depth):
        """Patient facts only (predicates.patient_junction): a decisive answer first."""
        emit = self.src.emit
        if decisive:
            found = " or ".join(f"({var} is not None and ({test}))" for var, test, _, _ in simple)
        else:
            found = " or ".join(f"({var} is not None and not ({test}))"
                                for var, test, _, _ in simple)
        emit(depth, f"if {found}:")
        emit(depth + 1, f"{target} = {'TRUE' if decisive else 'FALSE'}")
        emit(depth, "else:")
        missing = self.src.temp("m")
        emit(depth + 1, f"{missing} = ()")
        for var, _, unknown, _ in simple:
            emit(depth + 1, f"if {var} is None:")
            emit(depth + 2, f"{missing} += {unknown}")
        otherwise = "FALSE" if decisive else "TRUE"
        emit(depth + 1, f"{target} = (None, {missing}, NONE) if {missing} else {otherwise}")

    def quantifier(self, key, part, target, depth):
        """any_lesion and any_prior, as predicates._any_lesion(_fact) and _any_prior."""
        emit, temp = self.src.emit, self.src.temp
        scope = "lesion" if key == "any_lesion" else "prior"
        items = "lesions" if scope == "lesion" else "priors"
        unknown = self.src.const((COLLECTIONS[scope],))
        emit(depth, f"if {items} is None:")
        emit(depth + 1, f"{target} = (None, {unknown}, NONE)")
        emit(depth, "else:")
        item, found, missing = temp("i"), temp("x"), temp("m")
        emit(depth + 1, f"{found} = {missing} = None")
        emit(depth + 1, f"for {item} in {items}:")

        def held(d, _):
            if scope == "lesion":
                emit(d, f"{found} = ({item}[0],) if {found} is None else {found} + ({item}[0],)")
            else:
                emit(d, f"{found} = TRUE")
                emit(d, "break")

        self.branch(part, depth + 2, scope, item, held, lambda d, p: emit(
            d, f"{missing} = {p} if {missing} is None else {missing} + {p}"))
        # _any_lesion_fact (one lesion fact) tests `missing is None`; the others, whether
        # any input is missing: the same where no unknown answer lacks its inputs.
        one_fact = scope == "lesion" and "fact" in part and self._where(
            part["fact"], scope) == "lesion"
        missed = f"{missing} is not None" if one_fact else f"{missing}"
        matched = f"(True, NONE, {found})" if scope == "lesion" else "TRUE"
        emit(depth + 1, f"{target} = {matched} if {found} is not None else "
                        f"(None, {missing}, NONE) if {missed} else FALSE")
