"""Forms of the review pages: field checks only; the rules are in review/services.py."""

from django import forms

from review.models import ReviewState, VerificationMethod, VerificationOutcome
from review.services import APPROVE_REASONS, CLEAR_REASONS, ESCALATE_REASONS, REJECT_REASONS

REASONS_BY_ACTION = {
    "clear": CLEAR_REASONS,
    "escalate": ESCALATE_REASONS,
    "approve": APPROVE_REASONS,
    "reject": REJECT_REASONS,
}


class DecisionForm(forms.Form):
    reason_code = forms.ChoiceField(label="Reason")
    comment = forms.CharField(
        label="Comment", max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What you checked, and why."}),
    )
    # The state the page showed: a decision on a candidate someone else just changed is
    # refused instead of silently applied.
    expected_state = forms.ChoiceField(choices=ReviewState.choices, widget=forms.HiddenInput)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["reason_code"].choices = [("", "Choose a reason…"),
                                              *REASONS_BY_ACTION[action].items()]
        self.auto_id = f"id_{action}_%s"
        if action == "approve":
            # A critical candidate without a passed identity verification is approved only on
            # an explicit override with a reason (review.services checks it).
            self.fields["override"] = forms.BooleanField(
                label="Approve without a passed identity verification", required=False)
            self.fields["override_reason"] = forms.CharField(
                label="Why approve without it", required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder":
                                             "What replaces the verification, and why."}))


class StartForm(forms.Form):
    expected_state = forms.ChoiceField(choices=ReviewState.choices, widget=forms.HiddenInput)


class VerificationRequestForm(forms.Form):
    method = forms.ChoiceField(label="Method", choices=[("", "Choose a method…"),
                                                        *VerificationMethod.choices])
    note = forms.CharField(label="Note", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder":
                                                        "When, with whom, what to bring."}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_verify_%s"


class VerificationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[
        (value, label) for value, label in VerificationOutcome.choices
        if value != VerificationOutcome.PENDING])
    note = forms.CharField(label="Note", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class IdentityCorrectionForm(forms.Form):
    """A recruiter's correction of the entity resolution: this candidate and `other_id` are
    the same person, or not."""

    other_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    verdict = forms.ChoiceField(choices=[("same", "Same person"),
                                         ("different", "Not the same person")])


# --- The queue's bulk bar and row actions (review/queue_views.py) --------------------------


class QueueBulkForm(forms.Form):
    """The bulk bar: clear or assign the ticked candidates, or every candidate the filter
    matches ("scope" = "all", up to the newest candidate the page showed, "upto")."""

    op = forms.ChoiceField(choices=[("clear", "Clear"), ("assign", "Assign")])
    scope = forms.ChoiceField(choices=[("", "Ticked"), ("all", "All matching")], required=False)
    upto = forms.IntegerField(min_value=0, required=False)
    reason_code = forms.CharField(max_length=40, required=False)
    comment = forms.CharField(max_length=4000, required=False)
    assignee = forms.CharField(max_length=20, required=False)


class AssignForm(forms.Form):
    """A row's "Take" button (to = "me"), or an assignment to a user id, or "none"."""

    to = forms.CharField(max_length=20)
