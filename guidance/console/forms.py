"""Rules console forms: a rule with its lock version, scenario expectations, file import."""

import json

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.fields import InvalidJSONInput

from options import vocab
from options.choices import choices, label
from options.json_input import JSONTooDeep, json_depth_check, json_loads

from ..codes import SYSTEM_NAMES
from ..models import CodeListEntry, GuidanceDocument, Rule, RuleSet, Scenario
from ..services import stale_edit_for

# Shown as HTML (the admin renders help and descriptions unescaped): what an editor types
# is in <code>, the rest in words.
CONDITION_HELP = (
    'JSON from the closed vocabulary: <code>{"fact": NAME, OP: VALUE}</code> with OP one of '
    "<code>eq</code>, <code>ne</code>, <code>in</code>, <code>not_in</code>, <code>lt</code>, "
    "<code>le</code>, <code>gt</code>, <code>ge</code>, <code>is</code>; combine with "
    '<code>{"all": [...]}</code>, <code>{"any": [...]}</code>, <code>{"not": ...}</code>; ask '
    'each lesion with <code>{"any_lesion": ...}</code> and each prior treatment with '
    '<code>{"any_prior": ...}</code>; <code>{"unknown": ...}</code> holds when its condition '
    'cannot be decided (a caution about uncertainty); <code>{"always": true}</code> always '
    'holds. Criteria may use <code>{"when": ..., "met": ...}</code>. A mistake is reported '
    "with its path, for example <code>condition.all[1].fact</code>."
)
TEXT_HELP = (
    "Write a threshold that the condition holds as a parameter, never as a number: "
    "<code>{corrected_calcium_mmol_l.lt}</code> or <code>{sins.ge}</code>, found in this "
    "rule's condition or in the define rules it uses "
    "(<code>{corrected_calcium_mmol_l.lt:2}</code> gives two decimals). The text then follows "
    "any change to the threshold. Open questions and other notes for editors belong in the "
    "editor note: clinicians and patients never see it."
)


class PrettyJSONWidget(forms.Textarea):
    """Show stored JSON indented, in a monospace box wide enough to read."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 8, "cols": 80, "class": "vLargeTextField json-field",
                                "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if value in (None, "", "null"):
            return ""
        try:
            return json.dumps(json_loads(value), indent=2)
        except (TypeError, ValueError):  # not JSON, or nested too deeply: shown as typed
            return super().format_value(value)


class BoundedJSONField(forms.JSONField):
    """A JSON field that refuses JSON nested too deeply, naming the field, instead of a 500."""

    def to_python(self, value):
        try:
            converted = super().to_python(value)
            json_depth_check(converted)
        except (RecursionError, JSONTooDeep):
            raise ValidationError(f"{self.label or 'The JSON'} is {JSONTooDeep()}.",
                                  code="nested") from None
        return converted

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:  # shown again as typed, beside its error
            return InvalidJSONInput(data)


def drafts_only(form):
    """Offer only draft rulesets in a form's ruleset field: nothing else can change."""
    if "ruleset" in form.fields:
        form.fields["ruleset"].queryset = RuleSet.objects.filter(state=RuleSet.DRAFT)
        form.fields["ruleset"].help_text = "Only drafts can be edited."


def _reason_field():
    return forms.CharField(
        label="Why it changes", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The reviewer reads it, and the history keeps it. The change reaches "
                  "clinicians and EHRs only when this draft is reviewed and published; "
                  "consultations already given keep what they were shown.")


class RuleAdminForm(forms.ModelForm):
    """A rule, carrying the lock version it was opened at so a stale save is refused, and
    why it changes (the reviewer reads it; the rule's history keeps it)."""

    change_reason = _reason_field()

    class Meta:
        model = Rule
        fields = ["ruleset", "code", "option", "effect", "status", "priority", "defines",
                  "alert_code", "alert_severity", "guidance", "section", "text",
                  "patient_text", "temporary", "bonecare_default", "editor_note", "condition",
                  "lock_version"]
        widgets = {
            "lock_version": forms.HiddenInput,
            "condition": PrettyJSONWidget,
            "text": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "patient_text": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "editor_note": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }
        help_texts = {"condition": CONDITION_HELP}
        field_classes = {"condition": BoundedJSONField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drafts_only(self)
        if "guidance" in self.fields:
            documents = GuidanceDocument.objects.filter(ruleset__state=RuleSet.DRAFT)
            if self.instance.ruleset_id is not None:
                documents = documents.filter(ruleset=self.instance.ruleset_id)
            self.fields["guidance"].queryset = documents.select_related("ruleset")
            self.fields["guidance"].label_from_instance = (
                lambda document: f"{document.code} ({document.ruleset.version})")
            self.fields["guidance"].help_text = "A document of the rule's own ruleset."

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or cleaned.get("lock_version") is None:
            return cleaned
        current = (Rule.objects.select_for_update().filter(pk=self.instance.pk)
                   .values_list("lock_version", flat=True).first())
        if current != cleaned["lock_version"]:
            refusal = stale_edit_for(self.instance)
            # Keep the editor's input; a second save, made knowingly, replaces the change.
            self.data = self.data.copy()
            self.data[self.add_prefix("lock_version")] = current
            raise ValidationError(str(refusal), code="stale")
        return cleaned


def expectation_fields():
    """Return one status select per option, hold checkboxes and alert codes, as form fields."""
    fields = {f"expected_{option}": forms.ChoiceField(
        label=f"Expected status: {label(option)}",
        choices=[("", "Choose a status"), *choices(vocab.STATUSES)])
        for option in vocab.OPTIONS}
    fields["expected_hold_options"] = forms.MultipleChoiceField(
        label="Expected on hold", required=False, widget=forms.CheckboxSelectMultiple,
        choices=choices(vocab.OPTIONS))
    fields["expected_alert_codes"] = forms.CharField(
        label="Expected alert codes", required=False,
        help_text="Comma-separated alert codes as the rules raise them, for example mscc, "
                  "unstable_spine. Leave empty for none.")
    return fields


def expectation_initial(*, expected, hold, alerts):
    """Return initial values for expectation_fields() from stored or computed expectations."""
    initial = {f"expected_{option}": status for option, status in expected.items()}
    return {**initial, "expected_hold_options": list(hold),
            "expected_alert_codes": ", ".join(alerts)}


def _status_words(status):
    return label(status) if status else "Not set"


def _list_words(values, words=label):
    return ", ".join(words(value) for value in values) or "None"


def _compared(name, title, now, draft, words):
    return {"name": name, "label": title, "now": words(now),
            "draft": None if draft is None else words(draft),
            "differs": draft is not None and now != draft}


def expectation_comparison(*, now, draft):
    """Return, per expectation field, what is expected now and what the draft gives, in
    words, and whether they differ; `now` and `draft` as ScenarioCheck.output (draft None
    when the scenario cannot run)."""
    rows = [_compared(f"expected_{option}", label(option), now["expected"].get(option),
                      None if draft is None else draft["expected"].get(option), _status_words)
            for option in vocab.OPTIONS]
    for name, key, title, words in (
            ("expected_hold_options", "expected_hold", "On hold", _list_words),
            ("expected_alert_codes", "expected_alerts", "Alerts",
             lambda codes: _list_words(codes, str))):
        rows.append(_compared(name, title, sorted(now[key]),
                              None if draft is None else sorted(draft[key]), words))
    return rows


def expectation_values(cleaned):
    """Return (expected, expected_hold, expected_alerts) from cleaned expectation fields."""
    expected = {option: cleaned[f"expected_{option}"] for option in vocab.OPTIONS}
    alerts = [code.strip() for code in cleaned["expected_alert_codes"].split(",")
              if code.strip()]
    return expected, list(cleaned["expected_hold_options"]), alerts


class RemapErrorsMixin:
    """Show model errors on fields the form does not edit above the form, not as a crash."""

    def _update_errors(self, errors):
        moved = {}
        for name, messages in getattr(errors, "error_dict", {NON_FIELD_ERRORS: errors}).items():
            key = name if name in self.fields else NON_FIELD_ERRORS
            moved.setdefault(key, []).extend(messages)
        super()._update_errors(ValidationError(moved))


class ScenarioChangeForm(RemapErrorsMixin, forms.ModelForm):
    """A stored scenario's code, title and (for an editor's own) assessment."""

    class Meta:
        model = Scenario
        fields = ["title", "assessment"]
        widgets = {"assessment": PrettyJSONWidget(attrs={"rows": 16})}
        field_classes = {"assessment": BoundedJSONField}


class ScenarioAddBase(RemapErrorsMixin, forms.ModelForm):
    """An editor's own scenario: an assessment and the statuses it should get."""

    class Meta:
        model = Scenario
        fields = ["code", "title", "assessment", "expectation_note"]
        widgets = {"assessment": PrettyJSONWidget(attrs={"rows": 16})}
        field_classes = {"assessment": BoundedJSONField}
        labels = {"expectation_note": "Why these expectations"}
        help_texts = {"assessment": "The assessment JSON, as the API accepts it; checked by "
                                    "the contract validator."}

    def _post_clean(self):
        names = list(expectation_fields())
        if all(name in self.cleaned_data for name in names):
            expected, hold, alerts = expectation_values(self.cleaned_data)
            self.instance.expected = expected
            self.instance.expected_hold = hold
            self.instance.expected_alerts = alerts
        self.instance.source = "editor"
        super()._post_clean()


ScenarioAddForm = type("ScenarioAddForm", (ScenarioAddBase,), expectation_fields())


class ExpectationChangeBase(forms.Form):
    """Change what one scenario expects, and record why."""

    field_order = [*(f"expected_{o}" for o in vocab.OPTIONS), "expected_hold_options",
                   "expected_alert_codes", "reason"]
    reason = forms.CharField(
        label="Why the expectation changes", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the scenario's history, for example the guidance that changed.")

    def values(self):
        return expectation_values(self.cleaned_data)


ExpectationChangeForm = type("ExpectationChangeForm", (ExpectationChangeBase,),
                             expectation_fields())


class AcceptOutputForm(forms.Form):
    """Take what a draft gives as the expectation of the failing scenarios ticked, for one
    reason; `codes` are those it may be taken for."""

    codes = forms.MultipleChoiceField(
        label="Scenarios ticked", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one failing scenario.",
                        "invalid_choice": "%(value)s is not a failing scenario of this draft "
                                          "that can be accepted here."})
    reason = forms.CharField(
        label="Why these expectations change", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        error_messages={"required": "Say why the expectations change: the reviewer reads it."},
        help_text="One reason for every scenario ticked, for example the guidance that "
                  "changed. Each scenario's history keeps it, with your name and the time.")

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(code, code) for code in codes]


class DocumentForm(forms.ModelForm):
    """A guidance document in a draft ruleset, with the reason for the change."""

    change_reason = _reason_field()

    class Meta:
        model = GuidanceDocument
        fields = ["ruleset", "code", "title", "url", "publisher", "published", "last_reviewed",
                  "next_review_due", "evidence_note", "replaced_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drafts_only(self)


class CodeListEntryForm(forms.ModelForm):
    """A FHIR code in a draft ruleset's lists, with the reason for the change."""

    change_reason = _reason_field()

    class Meta:
        model = CodeListEntry
        fields = ["ruleset", "code_list", "system", "code", "value", "display", "evidence",
                  "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drafts_only(self)
        if "system" in self.fields:  # by name, with the URI the EHR sends
            self.fields["system"].choices = [("", "---------")] + [
                (uri, f"{name} ({uri})") for uri, name in SYSTEM_NAMES.items()]


class RulesetImportForm(forms.Form):
    """Upload a ruleset JSON file exported from this or another environment."""

    MAX_BYTES = 2_000_000

    file = forms.FileField(label="Ruleset file (JSON)",
                           help_text="It becomes a new draft; nothing is published.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(f"The file is larger than {self.MAX_BYTES // 1000} kB.")
        try:
            return json_loads(upload.read().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise ValidationError("The file is not UTF-8 text.") from error
        except JSONTooDeep as error:
            raise ValidationError(f"The file is {error}.") from error
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON: line {error.lineno}, column "
                                  f"{error.colno}: {error.msg}.") from error
