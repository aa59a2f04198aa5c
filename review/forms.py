"""Forms of the review pages: field checks only; the rules are in review/services.py."""

from django import forms

from candidates.models import RiskLevel
from review.models import ReviewState, VerificationMethod, VerificationOutcome
from review.selectors import (
    FLAG_CODES,
    SAVED_VIEWS,
    STATE_ALL,
    STATE_OPEN,
    AuditFilters,
    QueueFilters,
    flag_title,
)
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


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100,
                        widget=forms.TextInput(attrs={
                            "type": "search", "placeholder": "Name, email or external id",
                            "accesskey": "s"}))
    level = forms.ChoiceField(label="Level", required=False,
                              choices=[("", "Any level"), *reversed(RiskLevel.choices)])
    state = forms.ChoiceField(label="Review", required=False, choices=[
        (STATE_OPEN, "Open (new, in review, escalated)"), (STATE_ALL, "Any state"),
        *ReviewState.choices])
    flag = forms.ChoiceField(label="Flag", required=False,
                             choices=[("", "Any flag"),
                                      *[(code, f"{flag_title(code)} ({code})")
                                        for code in FLAG_CODES]])
    position = forms.ChoiceField(label="Position", required=False)
    integration = forms.TypedChoiceField(label="Source", required=False, coerce=int,
                                         empty_value=None)
    view = forms.ChoiceField(required=False, choices=[("", ""), *SAVED_VIEWS.items()],
                             widget=forms.HiddenInput)
    after = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [("", "Any position"),
                                           *[(p, p) for p in options["positions"]]]
        self.fields["integration"].choices = [("", "Any source"),
                                              *[(str(i), name) for i, name in
                                                options["integrations"]]]

    def filters(self) -> QueueFilters:
        """The filters, with anything invalid dropped (a stale link still shows a queue)."""
        self.is_valid()  # invalid fields are left out of cleaned_data
        data = self.cleaned_data
        return QueueFilters(
            q=data.get("q") or "", level=data.get("level") or "",
            state=data.get("state") or STATE_OPEN, flag=data.get("flag") or "",
            position=data.get("position") or "", integration=data.get("integration"),
            view=data.get("view") or "",
        )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False, choices=[
        ("", "Any action"), ("review.", "Review decisions"), ("verification.", "Verification"),
        ("role.", "Role changes"), ("user.", "User accounts"), ("weights.", "Weight changes"),
        ("data.", "Data imports"), ("auth.", "Sign-ins and lockouts"),
    ])
    actor = forms.CharField(label="Who", required=False, max_length=150)
    target_type = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    target_id = forms.CharField(label="Candidate or object id", required=False, max_length=64)
    before = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def filters(self) -> AuditFilters:
        self.is_valid()
        data = self.cleaned_data
        return AuditFilters(action=data.get("action") or "", actor=data.get("actor") or "",
                            target_type=data.get("target_type") or "",
                            target_id=data.get("target_id") or "")
