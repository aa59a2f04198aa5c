"""Forms of the case pages: field checks only; the rules are in review/cases.py."""

from django import forms

from review.cases import CASE_COMMENT_MAX, REASON_MAX
from review.forms import REASONS_BY_ACTION


def states_encode(states: dict[int, str]) -> str:
    """{member id: state} as the hidden field carries it: "12:new,13:in_review"."""
    return ",".join(f"{member}:{state}" for member, state in sorted(states.items()))


class CaseDecisionForm(forms.Form):
    reason_code = forms.ChoiceField(label="Reason")
    comment = forms.CharField(
        label="Comment", max_length=CASE_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder":
                                     "What you checked, and why, for the whole case."}))
    # The members (not excluded) and their states as the page showed them: a decision on a
    # case someone else just changed is refused instead of applied to what nobody saw.
    expected = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["reason_code"].choices = [("", "Choose a reason…"),
                                              *REASONS_BY_ACTION[action].items()]
        self.auto_id = f"id_case_{action}_%s"
        if action == "approve":
            # Critical members without a passed identity verification are approved only on an
            # explicit override with a reason (review.services checks it, member by member).
            self.fields["override"] = forms.BooleanField(
                label="Approve members without a passed identity verification", required=False)
            self.fields["override_reason"] = forms.CharField(
                label="Why approve without it", required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder":
                                             "What replaces the verification, and why."}))

    def clean_expected(self) -> dict[int, str] | None:
        value = self.cleaned_data["expected"]
        if not value:
            return None
        try:
            pairs = (item.split(":") for item in value.split(","))
            return {int(member): state for member, state in pairs}
        except ValueError as exc:
            raise forms.ValidationError("Reload the page.") from exc


class CaseExcludeForm(forms.Form):
    members = forms.TypedMultipleChoiceField(coerce=int, label="Members")
    reason = forms.CharField(label="Why they are left out", max_length=REASON_MAX,
                             widget=forms.TextInput(attrs={"placeholder":
                                                           "e.g. explained: same household"}))

    def __init__(self, *args, member_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(i, str(i)) for i in member_ids]
        self.auto_id = "id_exclude_%s"


class CaseIncludeForm(forms.Form):
    candidate = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class CaseAssignForm(forms.Form):
    assignee = forms.TypedChoiceField(coerce=int, empty_value=None, required=False,
                                      label="Assignee")

    def __init__(self, *args, users: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Nobody"), *users]
        self.auto_id = "id_assign_%s"


class CaseCloseForm(forms.Form):
    comment = forms.CharField(label="Why close it without a decision", max_length=REASON_MAX,
                              widget=forms.TextInput(attrs={"placeholder":
                                                            "e.g. not a ring: one household"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_close_%s"
