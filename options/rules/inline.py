"""Write a rule condition as statements: asked inline, the answer built only where kept.

Each writer takes what to write when the condition holds (`held`, given the answer as an
expression, for the lesions it carries), when it cannot be decided (`missing`, given the
inputs) and when it does not hold (`failed`): an `all` inside an `any_lesion` then costs
a few tests per lesion, not a closure call and a tuple. The answers are those of
predicates.py, part for part; codegen.py says why and how rule data stays out of the text.
"""

from collections.abc import Callable

from .codegen import COLLECTIONS, MAX_DEPTH, Answers, _may_match_lesions
from .predicates import comparison_test


class Conditions(Answers):
    """Write the statements that answer each condition slot, lazily and once per evaluation."""

    def node(self, cond: dict, target: str, depth: int, scope: str, item: str | None) -> None:
        """Write statements that leave the answer to `cond` in `target`."""
        emit = self.src.emit
        if "fact" in cond and self._where(cond["fact"], scope) == "derived" and cond.get(
                "is", cond.get("eq")) is True and self.static(cond, scope) is None:
            answer = self.ref(self.define_slots[cond["fact"]], depth)  # its value, no lesions
            emit(depth, f"{target} = TRUE if {answer}[0] is True else {answer}")
            return
        self.branch(cond, depth, scope, item, lambda d, a: emit(d, f"{target} = {a}"),
                    lambda d, m: emit(d, f"{target} = (None, {m}, NONE)"),
                    lambda d: emit(d, f"{target} = FALSE"))

    def branch(self, cond: dict, depth: int, scope: str, item: str | None, held: Callable,
               missing: Callable, failed: Callable | None = None) -> None:
        """Write statements that ask `cond` and then held(depth, answer) if it holds,
        missing(depth, inputs) if it cannot be decided, failed(depth) if it does not."""
        emit = self.src.emit
        failed = failed or (lambda d: emit(d, "pass"))
        answer = self.static(cond, scope)
        if answer is not None:
            held(depth, "TRUE") if answer[0] else failed(depth)
        elif depth > MAX_DEPTH:  # Python allows 100 indents: ask the compiled closure
            predicate = self.src.const(self.parser.compile(cond, "condition", scope))
            self.closures = True
            found = self.src.temp()
            emit(depth, f"{found} = {predicate}(facts, {item or 'None'})")
            self._answered(found, depth, held, missing, failed)
        elif "all" in cond or "any" in cond:
            self.junction("any" in cond, cond.get("any") or cond["all"], depth, scope, item,
                          held, missing, failed)
        elif "any_lesion" in cond or "any_prior" in cond:
            self.quantifier("any_lesion" in cond, cond.get("any_lesion") or cond["any_prior"],
                            depth, held, missing, failed)
        elif "unknown" in cond:  # true when the part cannot be decided: never unknown
            self.branch(cond["unknown"], depth, scope, item, lambda d, _: failed(d),
                        lambda d, _: held(d, "TRUE"), failed)
        elif "not" in cond and not self._plain(cond):
            self.branch(cond["not"], depth, scope, item, lambda d, _: failed(d), missing,
                        lambda d: held(d, "TRUE"))
        else:
            self.fact(cond, depth, scope, item, held, missing, failed)

    def _answered(self, answer, depth, held, missing, failed):
        self._cases(depth, [(f"{answer}[0] is True", lambda d: held(d, answer)),
                            (f"{answer}[0] is None", lambda d: missing(d, f"{answer}[1]")),
                            ("", failed)])

    @staticmethod
    def _plain(cond):
        """Whether `cond` is a fact or a negated one, which fact() asks inline."""
        while "not" in cond:
            cond = cond["not"]
        return "fact" in cond

    def fact(self, cond: dict, depth: int, scope: str, item: str | None, held: Callable,
             missing: Callable, failed: Callable) -> None:
        """A fact, or a negated one: TRUE, FALSE, or unknown with the inputs it names."""
        emit, temp, const = self.src.emit, self.src.temp, self.src.const
        negated = False
        while "not" in cond:
            negated, cond = not negated, cond["not"]

        def hold(d):
            held(d, "TRUE")

        yes, no = (failed, hold) if negated else (hold, failed)  # the fact true, false
        where = self._where(cond["fact"], scope)
        if where == "patient":
            var, test, names, _ = self.simple(cond, scope)
            self._cases(depth, [(f"{var} is None", lambda d: missing(d, names)),
                                (test, yes), ("", no)])
        elif where == "derived":
            answer = self.ref(self.define_slots[cond["fact"]], depth)
            self._cases(depth, [(f"{answer}[0] is None", lambda d: missing(d, f"{answer}[1]")),
                                (self._test(cond, f"{answer}[0]"), yes), ("", no)])
        else:  # a lesion's or a prior's: predicates._item_value
            name, value, found = const(cond["fact"]), temp("v"), temp()
            op = next(key for key in cond if key != "fact")
            test = const(comparison_test(op, cond[op]))
            emit(depth, f"{value} = {item}[1][{name}]")

            def unsure(d):  # unknown, or a score that unknown findings leave open
                emit(d, f"{found} = item_value({item}, {name}, {test}, "
                        f"{const(COLLECTIONS[where])})")
                self._cases(d, [(f"{found}[0] is True", yes),
                                (f"{found}[0] is None", lambda d: missing(d, f"{found}[1]")),
                                ("", no)])

            self._cases(depth, [(f"{value} is NOT_APPLICABLE", no),
                                (f"{value} is None or {value}.__class__ is Possible", unsure),
                                (self._test(cond, value), yes), ("", no)])

    def _cases(self, depth, cases):
        """Write an if/elif/else chain, each body written by its function."""
        emit = self.src.emit
        for i, (test, body) in enumerate(cases):
            emit(depth, "else:" if not test else f"if {test}:" if i == 0 else f"elif {test}:")
            body(depth + 1)

    def junction(self, decisive: bool, parts: list, depth: int, scope: str, item: str | None,
                 held: Callable, missing: Callable, failed: Callable) -> None:
        """An all (decisive False) or any (decisive True), as predicates.all_of / any_of:
        the first decisive part decides; else any part undecided leaves it undecided."""
        emit, temp = self.src.emit, self.src.temp
        parts, ends = self._parts(decisive, parts, scope)
        if not parts or (len(parts) == 1 and not ends):
            if not parts:  # a settled part decided it
                held(depth, "TRUE") if decisive else failed(depth)
            else:  # the same answer as its one part's
                self.branch(parts[0], depth, scope, item, held, missing, failed)
            return
        simple = [self.simple(part, scope) for part in parts]
        if all(simple) and not ends:
            self._simple_junction(decisive, simple, depth, held, missing, failed)
            return
        result, inputs = temp("r"), temp("m")
        lesions = temp("l") if not decisive and any(map(_may_match_lesions, parts)) else None
        emit(depth, f"{result} = {inputs} = {lesions or result} = None")
        add = "{m} = {p} if {m} is None else {m} + {p}"

        def part_held(d, answer):
            if decisive:
                emit(d, f"{result} = {answer}")
            elif lesions and answer != "TRUE":  # an all keeps the lesions its parts matched
                emit(d, f"if {answer}[2]:")
                emit(d + 1, add.format(m=lesions, p=f"{answer}[2]"))
            else:
                emit(d, "pass")

        for i, part in enumerate(parts):
            if i:
                emit(depth, f"if {result} is None:")
            self.branch(part, depth + bool(i), scope, item, part_held,
                        lambda d, p: emit(d, add.format(m=inputs, p=p)),
                        None if decisive else (lambda d: emit(d, f"{result} = FALSE")))
        if decisive:
            otherwise = (lambda d: held(d, "TRUE")) if ends else failed
            self._cases(depth, [(f"{result} is not None", lambda d: held(d, result)),
                                ("" if ends else f"{inputs} is not None",
                                 otherwise if ends else lambda d: missing(d, inputs)),
                                *([] if ends else [("", failed)])])
        else:
            answer = f"((True, NONE, {lesions}) if {lesions} is not None else TRUE)" \
                if lesions else "TRUE"
            self._cases(depth, [(f"{result} is not None", failed),
                                (f"{inputs} is not None", lambda d: missing(d, inputs)),
                                ("", lambda d: held(d, answer))])

    def _simple_junction(self, decisive, simple, depth, held, missing, failed):
        """Patient facts only (predicates.patient_junction): a decisive answer first."""
        emit = self.src.emit
        found = " or ".join(f"({var} is not None and {'' if decisive else 'not '}({test}))"
                            for var, test, _, _ in simple)
        inputs = self.src.temp("m")

        def undecided(d):
            emit(d, f"{inputs} = ()")
            for var, _, names, _ in simple:
                emit(d, f"if {var} is None:")
                emit(d + 1, f"{inputs} += {names}")
            self._cases(d, [(inputs, lambda d: missing(d, inputs)),
                            ("", failed if decisive else lambda d: held(d, "TRUE"))])

        self._cases(depth, [(found, (lambda d: held(d, "TRUE")) if decisive else failed),
                            ("", undecided)])

    def quantifier(self, lesion: bool, part: dict, depth: int, held: Callable,
                   missing: Callable, failed: Callable) -> None:
        """any_lesion and any_prior, as predicates._any_lesion(_fact) and _any_prior."""
        emit, temp = self.src.emit, self.src.temp
        scope = "lesion" if lesion else "prior"
        items = "lesions" if lesion else "priors"
        self.priors = self.priors or not lesion
        item, found, inputs = temp("i"), temp("x"), temp("m")

        def matched(d, _):
            if lesion:
                emit(d, f"{found} = ({item}[0],) if {found} is None else {found} + ({item}[0],)")
            else:
                emit(d, f"{found} = TRUE")
                emit(d, "break")

        def asked(d):
            emit(d, f"{found} = {inputs} = None")
            emit(d, f"for {item} in {items}:")
            self.branch(part, d + 1, scope, item, matched, lambda d, p: emit(
                d, f"{inputs} = {p} if {inputs} is None else {inputs} + {p}"))
            # _any_lesion_fact (one lesion fact) tests `missing is None`; the others whether
            # any input is missing: the same where no unknown answer lacks its inputs.
            one_fact = lesion and "fact" in part and self._where(part["fact"], scope) == scope
            answer = f"(True, NONE, {found})" if lesion else "TRUE"
            self._cases(d, [(f"{found} is not None", lambda d: held(d, answer)),
                            (f"{inputs} is not None" if one_fact else inputs,
                             lambda d: missing(d, inputs)),
                            ("", failed)])

        unknown = self.src.const((COLLECTIONS[scope],))
        self._cases(depth, [(f"{items} is None", lambda d: missing(d, unknown)), ("", asked)])
