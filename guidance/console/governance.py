"""Rules console pages for the two-person publish: submit, withdraw, review, publish, roll
back, discard a draft, and the record of publications with the emergency rollbacks awaiting
follow-up.

Each page only shows and posts; the services in guidance.governance decide, check the roles
and the author, and audit every action and refusal.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from options.rules import ConditionError, RuleError

from ..conversation import review_changes_since, review_conversation, review_status
from ..governance import (
    publication_follow_up,
    ruleset_approve,
    ruleset_discard,
    ruleset_publish,
    ruleset_return,
    ruleset_rollback,
    ruleset_submit,
    ruleset_withdraw,
)
from ..models import Publication, Review, RuleSet
from ..scenarios.diff import code_lists_diff, documents_diff, expectation_changes, rules_diff
from ..scenarios.impact import ruleset_impact
from ..scenarios.thresholds import thresholds_unbracketed
from ..selectors import NoPublishedRuleSet, ruleset_get_published
from ..services import PublishRefused
from .views import ConsoleViews
from .words import bracket_words


def _text(label, help_text, required=True):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class SubmitForm(forms.Form):
    summary = _text("What changed and why",
                    "The reviewer reads this beside the rules diff, the expectation changes "
                    "and the impact; it is kept with the publication.")


class ReviewForm(forms.Form):
    comment = _text("Comment", "Required: what you checked, to approve it, or why it goes "
                    "back, to return it; kept with the review.", required=False)


class RollbackForm(forms.Form):
    reason = _text("Why roll back now", "Kept with the publication; a clinical safety "
                   "officer follows the rollback up afterwards.")


class ReasonForm(forms.Form):
    reason = _text("Why", "Kept in the governance audit with your name.")


# step -> (page title, button, what the page says, what is said once done)
REASONED = {
    "withdraw": ("Withdraw {} from review", "Withdraw",
                 "Withdrawing takes {} back from the safety officers, who are told by e-mail; "
                 "it becomes a draft again that you can change and submit again.",
                 "{} is withdrawn from review: it is a draft again."),
    "discard": ("Discard the draft {}", "Discard",
                "A discarded draft is kept, read-only, in the history and the audit; it can "
                "never be changed, submitted or published again. To change the rules later, "
                "make a new draft from the published ruleset.",
                "{} is discarded: it is kept, read-only, and hidden from the ruleset list."),
}


class FollowUpForm(forms.Form):
    comment = _text("What the follow-up found", "Clears the flag; kept with the publication.")


class GovernanceViews(ConsoleViews):
    """Submit, review, publish and roll back one ruleset; follow up a rollback."""

    def _ruleset(self, pk):
        return get_object_or_404(RuleSet, pk=pk)

    def _done(self, request, ruleset, text):
        messages.success(request, text)
        return HttpResponseRedirect(reverse("admin:guidance_ruleset_change", args=[ruleset.pk]))

    def _refused(self, request, error):
        messages.error(request, f"Not done: {error}")

    def _live_impact(self, ruleset):
        try:
            return ruleset_impact(draft=ruleset, published=ruleset_get_published()).figures()
        except (NoPublishedRuleSet, RuleError):
            return {}

    def _unbracketed(self, ruleset):
        """Name each threshold the ruleset changes that no scenario of its brackets."""
        try:
            return [bracket_words(bracket) for bracket in thresholds_unbracketed(ruleset)]
        except (RuleError, ConditionError) as error:
            return [f"Thresholds could not be checked: {error}"]

    def submit(self, request, pk):
        self.require(request, "change")
        ruleset = self._ruleset(pk)
        form = SubmitForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                ruleset_submit(ruleset=ruleset, by=request.user,
                               summary=form.cleaned_data["summary"])
            except PublishRefused as error:
                self._refused(request, error)
            else:
                return self._done(request, ruleset, f"{ruleset.version} is submitted for "
                                  "review: a clinical safety officer approves or returns it.")
        return self.render(request, "ruleset/submit.html", self.context(
            request, f"Submit {ruleset.version} for review", ruleset=ruleset, original=ruleset,
            form=form, diff=rules_diff(ruleset), changes=expectation_changes(ruleset),
            documents_diff=documents_diff(ruleset), code_lists_diff=code_lists_diff(ruleset),
            figures=self._live_impact(ruleset), unbracketed=self._unbracketed(ruleset)))

    def review(self, request, pk):
        self.require(request, "view")
        ruleset = self._ruleset(pk)
        review = ruleset.reviews.select_related("submitted_by", "reviewer").first()
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            service = ruleset_approve if "approve" in request.POST else ruleset_return
            try:
                service(ruleset=ruleset, by=request.user, comment=form.cleaned_data["comment"])
            except PublishRefused as error:
                self._refused(request, error)
            else:
                word = "approved: it may now be published" if service is ruleset_approve else (
                    "returned to its author")
                return self._done(request, ruleset, f"{ruleset.version} {word}.")
        steps = review_conversation(ruleset)
        return self.render(request, "ruleset/review.html", self.context(
            request, f"Review {ruleset.version}", ruleset=ruleset, original=ruleset,
            review=review, form=form, pending=review is not None
            and review.outcome == Review.PENDING, steps=steps,
            status=review_status(ruleset, steps),
            changes_since=review_changes_since(review) if review is not None else None,
            unbracketed=self._unbracketed(ruleset) if review is not None else []))

    def _reasoned(self, request, pk, step, service):
        """Show the reason form for a step, and take it through its service on POST."""
        self.require(request, "change")
        ruleset = self._ruleset(pk)
        title, label, note, done = REASONED[step]
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                service(ruleset=ruleset, by=request.user, reason=form.cleaned_data["reason"])
            except PublishRefused as error:
                self._refused(request, error)
            else:
                return self._done(request, ruleset, done.format(ruleset.version))
        return self.render(request, "ruleset/reasoned.html", self.context(
            request, title.format(ruleset.version), ruleset=ruleset, original=ruleset,
            form=form, label=label, note=note.format(ruleset.version)))

    def withdraw(self, request, pk):
        return self._reasoned(request, pk, "withdraw", ruleset_withdraw)

    def discard(self, request, pk):
        return self._reasoned(request, pk, "discard", ruleset_discard)

    def publish(self, request, pk):
        self.require(request, "view")
        ruleset = self._ruleset(pk)
        if request.method == "POST":
            try:
                publication = ruleset_publish(ruleset=ruleset, by=request.user)
            except PublishRefused as error:
                self._refused(request, error)
            else:
                return self._done(request, ruleset, f"Ruleset {ruleset.version} is published "
                                  f"(author {publication.author}, reviewer "
                                  f"{publication.reviewer}): the next evaluation in every "
                                  "process uses it.")
        review = ruleset.reviews.filter(outcome=Review.APPROVED).first()
        return self.render(request, "ruleset/publish.html", self.context(
            request, f"Publish {ruleset.version}?", ruleset=ruleset, original=ruleset,
            review=review))

    def rollback(self, request, pk):
        self.require(request, "view")
        ruleset = self._ruleset(pk)
        form = RollbackForm(request.POST or None)
        failures = []
        if request.method == "POST" and form.is_valid():
            try:
                ruleset_rollback(ruleset=ruleset, by=request.user,
                                 reason=form.cleaned_data["reason"])
            except PublishRefused as error:
                self._refused(request, error)
                failures = error.failures
            else:
                return self._done(request, ruleset, f"Ruleset {ruleset.version} is live again "
                                  "(emergency rollback): flagged for a clinical safety "
                                  "officer's follow-up.")
        return self.render(request, "ruleset/rollback.html", self.context(
            request, f"Emergency rollback to {ruleset.version}", ruleset=ruleset,
            original=ruleset, form=form, failures=failures))

    def publications(self, request):
        self.require(request, "view")
        rows = Publication.objects.select_related(
            "ruleset", "published_by", "author", "reviewer", "followed_up_by")
        return self.render(request, "ruleset/publications.html", self.context(
            request, "Publications", publications=rows[:200],
            flagged=[p for p in rows if p.needs_review]))

    def follow_up(self, request, pk):
        self.require(request, "view")
        publication = get_object_or_404(Publication, pk=pk)
        form = FollowUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                publication_follow_up(publication=publication, by=request.user,
                                      comment=form.cleaned_data["comment"])
            except PublishRefused as error:
                self._refused(request, error)
            else:
                messages.success(request, "Follow-up recorded; the flag is cleared.")
                return HttpResponseRedirect(reverse("admin:guidance_ruleset_publications"))
        return self.render(request, "ruleset/follow_up.html", self.context(
            request, f"Follow up the rollback to {publication.ruleset.version}",
            publication=publication, form=form))
