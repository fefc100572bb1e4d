"""Evaluate through Python source generated once per compiled ruleset and cancer type.

Why: the interpreter (engine.evaluate_interpreted) walks each option's plan and calls a
closure per condition, per part of it and per text; that overhead was most of the cost of an
evaluation. Here each plan set (compiled.py, one per cancer type) is written out as one
function: the status chain, safety, hold, criterion and text rules unrolled in priority order,
the answers kept in locals (s3) instead of the memo list, the answers settled for the cancer
type folded in, and the conditions written inline (inline.py, codegen.py). Its results are the
interpreter's, key for key and in order (tests/engine/test_generated_same_results.py).

No value from rule data is written into the source: the source names each one by an
identifier made here (k7), and the function finds it in its globals (Source.constants).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from .assessment import NOT_APPLICABLE, PATIENT_FIELD_NAMES, Possible
from .codegen import STATIC, Source, slot_conditions
from .conditions import Parser
from .facts import Facts, clearance, patient_values, prior_list, scored_lesions
from .inline import Conditions
from .outcome import NO_RULE, could_stand, hinges, summary, undecided, unique, unknown_input
from .predicates import FALSE, NONE, TRUE, _item_value
from .vocab import ACTIVE_STATUSES

if TYPE_CHECKING:
    from .compiled import CompiledRuleSet

HELPERS = {
    "Facts": Facts, "patient_values": patient_values, "clearance": clearance,
    "scored_lesions": scored_lesions, "prior_list": prior_list, "MALE": "male",
    "TRUE": TRUE, "FALSE": FALSE, "NONE": NONE,
    "NOT_APPLICABLE": NOT_APPLICABLE, "Possible": Possible, "item_value": _item_value,
    "ACTIVE": ACTIVE_STATUSES, "NA": "not_applicable", "NEEDS": "needs_information",
    "NOT_REC": "not_recommended", "NO_RULE": NO_RULE, "summary": summary, "unique": unique,
    "unknown_input": unknown_input, "could_stand": could_stand, "hinges": hinges,
    "undecided": undecided,
}


def build(ruleset: "CompiledRuleSet", cancer_type: str | None) -> Callable:
    """Return run(assessment, header) -> result for one plan set of a compiled ruleset."""
    plans, alerts, blank = ruleset.plans_by_cancer.get(cancer_type, ruleset.plans)
    src = Source()
    defines = ruleset.defines
    conditions = Conditions(src, blank, slot_conditions(ruleset),
                            {name: c.slot for name, c in defines.items()},
                            Parser({name: c.rule.condition for name, c in defines.items()}),
                            known={} if cancer_type is None else {"cancer_type": cancer_type})
    names = []
    for j, plan in enumerate(plans):
        names.append(f"o{j}")
        _Option(src, conditions, plan).write(names[-1])
    _texts(src, conditions, alerts, "al", 1)
    tail = [f'    return {{"ruleset": header, "options": [{", ".join(names)}], "alerts": al, '
            '"scores": scores, "derived": derived}']
    source = "\n".join(_head(conditions) + src.lines + tail) + "\n"
    namespace = {**HELPERS, **src.constants, "defines": defines}
    exec(compile(source, "<generated rules>", "exec"), namespace)  # noqa: S102 - see above
    run = namespace["run"]
    run.source = source  # for reading and for the tests
    return run


_INDEX = {name: i for i, name in enumerate(PATIENT_FIELD_NAMES)}


def _head(conditions):
    """Write what the function starts from: the facts as engine.Facts has them, in locals.

    The indexes are those of the assessment's own fields (PATIENT_FIELD_NAMES), looked up
    by fact names that the vocabulary knows: no rule data.
    """
    clearance, sex, pregnant = (_INDEX[name] for name in (
        "creatinine_clearance_ml_min", "sex", "pregnant"))
    head = ["def run(a, header):",
            "    pv = patient_values(a)",
            f"    if pv[{clearance}] is None:",
            "        ccl, derived = clearance(pv)",  # as engine.Facts derives it
            "    else:",
            f"        ccl = pv[{clearance}]",
            "        derived = {}",
            "    scores, lesions = scored_lesions(a.lesions)"]
    if conditions.closures:  # compiled closures ask the facts as the interpreter keeps them
        head.append("    facts = Facts(a, defines)")
    if conditions.priors:
        head.append("    priors = prior_list(a.prior_treatments)")
    for name, var in conditions.patient_vars.items():
        if name == "creatinine_clearance_ml_min":
            head.append(f"    {var} = ccl")
        elif name == "pregnant":  # known for a man, never asked (engine.Facts)
            head.append(f"    {var} = False if pv[{sex}] == MALE else pv[{pregnant}]")
        else:
            head.append(f"    {var} = pv[{_INDEX[name]}]")
    if conditions.slots:
        head.append("    " + " = ".join(f"s{slot}" for slot in sorted(conditions.slots))
                    + " = None")
    return head


def _texts(src, conditions, entries, var, depth):
    """Write `var` = the payloads of the entries whose condition holds (engine._texts);
    those that hold for every assessment of the plan open the list."""
    emit = src.emit
    opening, started = [], False
    for slot, _, payload in entries:
        answer = conditions.ref(slot, depth)
        if answer == "FALSE":
            continue
        if answer == "TRUE" and not started:
            opening.append(src.const(payload))
            continue
        if not started:
            emit(depth, f"{var} = [{', '.join(opening)}]")
            started = True
        if answer == "TRUE":
            emit(depth, f"{var}.append({src.const(payload)})")
            continue
        emit(depth, f"if {answer}[0] is True:")
        emit(depth + 1, f"{var}.append({src.const(payload)})")
    if not started:
        emit(depth, f"{var} = [{', '.join(opening)}]")


class _Option:
    """Write one option's decision and result, as engine._decide and _option_result make
    them; what settles the status is in locals: st, rs (its reason), act (is st active)."""

    def __init__(self, src, conditions, plan):
        self.src, self.conditions, self.plan = src, conditions, plan
        self.emit, self.const, self.ref = src.emit, src.const, conditions.ref

    def write(self, out: str) -> None:
        """Write the statements that leave the option's result in `out`."""
        self.eligibility(1)
        self.decision(1)
        self.result(1, out)

    def eligibility(self, d: int) -> None:
        """The status chain (engine._eligibility): the first rule that holds decides."""
        emit, const = self.emit, self.const
        emit(d, "un = None")
        emit(d, "sm = []")
        emit(d, "ls = NONE")
        emit(d, "while True:")
        for slot, _, compiled in self.plan.status:
            answer = self.ref(slot, d + 1)
            if answer == "FALSE":
                continue
            status = compiled.rule.status
            active = status in ACTIVE_STATUSES
            decide = [f"st = {const(status)}", f"rs = {const(compiled.reason)}",
                      f"act = {active}"]
            if answer == "TRUE":
                for line in decide:
                    emit(d + 1, line)
                emit(d + 1, "break")
                return
            emit(d + 1, f"if {answer}[0] is True:")
            for line in [*decide, f"ls = {answer}[2]", "break"]:
                emit(d + 2, line)
            emit(d + 1, f"if {answer}[0] is None:")
            entry = const((status, compiled.reason, active))
            emit(d + 2, f"un = unknown_input(un, sm, {answer}[1], {entry})")
        for line in ("st = NOT_REC", "rs = NO_RULE", "act = False", "break"):
            emit(d + 1, line)

    def decision(self, d: int) -> None:
        """Safety and hold rules, and unknowns judged on the final status (engine._decide)."""
        emit = self.emit
        emit(d, "if un is None and not act:")  # settled, and it cannot stand
        emit(d + 1, 'fs = st; db = rs["rule"]; hd = False; rz = [rs]; nn = []; ms = []')
        emit(d, "else:")
        d += 1
        emit(d, "if act or could_stand(un):")
        emit(d + 1, "hl = []")
        emit(d + 1, "hm = []")
        for slot, _, c in self.plan.safety:
            entry = self.const((c.rule.status, c.reason, c.rule.code, c.rule.temporary))
            self._holding(d + 1, slot, f"hl.append({entry})", "hm")
        emit(d, "else:")
        emit(d + 1, "hl = hm = ()")
        emit(d, "fin = hl[0][0] if hl and act else st")
        emit(d, "if un is not None and hinges(un, hl, fin):")
        emit(d + 1, "fs = NEEDS; db = None; hd = False; nn = []; ls = NONE")
        emit(d + 1, "rz, ms = undecided(un)")
        emit(d, "else:")
        d += 1
        emit(d, 'db = rs["rule"]')
        emit(d, "rz = [rs, *[h[1] for h in hl]] if hl else [rs]")
        emit(d, "nn = []")
        emit(d, "if fin != st:")
        emit(d + 1, "db = hl[0][2]")
        emit(d + 1, "if hl[0][3]:")
        emit(d + 2, "nn = [h[1] for h in hl if h[3]]")
        emit(d, "if fin in ACTIVE:")
        emit(d + 1, "sm += hm")
        emit(d + 1, "hs = []")
        for slot, _, reason in self.plan.hold:
            self._holding(d + 1, slot, f"hs.append({self.const(reason)})", "sm")
        emit(d + 1, "rz += hs")
        emit(d + 1, "nn += hs")
        emit(d + 1, "fs = fin; hd = bool(nn); ms = sm")
        emit(d, "else:")
        emit(d + 1, "fs = fin; hd = False; ms = []")

    def _holding(self, d, slot, keep, missing):
        """Write: keep what a rule carries if it holds; if undecided, note its inputs."""
        answer = self.ref(slot, d)
        if answer == "TRUE":
            self.emit(d, keep)
        elif answer != "FALSE":
            self.emit(d, f"if {answer}[0] is True:")
            self.emit(d + 1, keep)
            self.emit(d, f"elif {answer}[0] is None:")
            self.emit(d + 1, f"{missing} += {answer}[1]")

    def criteria(self, d: int) -> None:
        """Write crit, the criteria shown (engine._criteria); those asked of every
        assessment open the list, their missing inputs added after it, in order."""
        emit, const = self.emit, self.const
        opening, asked, rest = [], [], list(self.plan.criteria)
        while rest:
            when_slot, when, slot, _, shown = rest[0]
            if when is not None and self.ref(when_slot, d) != "TRUE":
                break
            rest.pop(0)
            answer = self.ref(slot, d)
            if answer in STATIC:
                opening.append(const(shown[answer == "TRUE"]))
            else:
                opening.append(f"{const(shown)}[{answer}[0]]")
                asked.append(answer)
        emit(d, f"crit = [{', '.join(opening)}]")
        if asked:
            emit(d, "if cm is not None:")
            for answer in asked:
                emit(d + 1, f"if {answer}[0] is None:")
                emit(d + 2, f"cm += {answer}[1]")
        for criterion in rest:
            self._criterion(d, *criterion)

    def _criterion(self, d, when_slot, when, slot, _, shown):
        """Write: show the criterion, as met or not, unless its `when` is false."""
        emit, const = self.emit, self.const
        if when is not None:
            answer = self.ref(when_slot, d)
            if answer == "FALSE":
                return
            if answer not in STATIC:
                emit(d, f"if {answer}[0] is not False:")
                d += 1
        answer = self.ref(slot, d)
        if answer in STATIC:
            emit(d, f"crit.append({const(shown[answer == 'TRUE'])})")
            return
        emit(d, f"crit.append({const(shown)}[{answer}[0]])")
        emit(d, f"if {answer}[0] is None and cm is not None:")
        emit(d + 1, f"cm += {answer}[1]")

    def result(self, d: int, out: str) -> None:
        """The option's result dict (engine._option_result)."""
        emit, const, plan = self.emit, self.const, self.plan
        emit(d, "fa = fs in ACTIVE")
        emit(d, "if fa or fs != NA:")
        emit(d + 1, "cm = ms if fa else None")
        self.criteria(d + 1)
        emit(d, "else:")
        emit(d + 1, "crit = []")
        emit(d, "if fa:")
        _texts(self.src, self.conditions, plan.conditions, "cd", d + 1)
        _texts(self.src, self.conditions, plan.cautions, "ca", d + 1)
        emit(d, "elif fs != NA:")
        emit(d + 1, "cd = []")
        _texts(self.src, self.conditions, plan.uncertainty, "ca", d + 1)
        emit(d, "else:")
        emit(d + 1, "cd = []")
        emit(d + 1, "ca = []")
        _texts(self.src, self.conditions, plan.notes, "nt", d)
        emit(d, 'if nn or fs == NEEDS or rz[0]["rule"] != db:')
        emit(d + 1, "sy = summary(fs, db, rz, nn, ms)")
        emit(d, "else:")
        emit(d + 1, 'sy = rz[0]["text"]')
        emit(d, f'{out} = {{"option": {const(plan.option)}, "status": fs, "hold": hd, '
                '"summary": sy, "decided_by": db, "not_now": nn, "reasons": rz, '
                '"criteria": crit, "conditions": cd, "cautions": ca, "notes": nt, '
                '"missing": unique(ms) if ms else [], '
                '"lesions": sorted(set(ls)) if ls and fs != NEEDS else []}')
