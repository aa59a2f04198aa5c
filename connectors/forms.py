"""The connection form of the review UI (admins). Secrets are write-only: the inputs are
never filled back, and a blank one keeps what is stored."""

from django import forms

from candidates.models import Integration
from connectors.models import AtsKind


class ConnectionForm(forms.Form):
    integration = forms.ModelChoiceField(queryset=Integration.objects.order_by("name"))
    kind = forms.ChoiceField(choices=AtsKind.choices, label="ATS")
    webhook_secret = forms.CharField(
        required=False, max_length=500, widget=forms.PasswordInput(render_value=False),
        help_text="The secret the ATS signs webhooks with (Lever: the webhook's signature "
        "token; Workable: the account token). Leave blank to keep the stored one; on a new "
        "Greenhouse or Ashby connection, blank generates one, shown once.")
    api_base_url = forms.URLField(
        required=False, label="API base URL",
        help_text="https://harvest.greenhouse.io/v1, https://api.lever.co/v1, "
        "https://api.ashbyhq.com or https://<subdomain>.workable.com/spi/v3")
    api_key = forms.CharField(
        required=False, max_length=500, label="API key",
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the stored one.")
    api_user_id = forms.CharField(
        required=False, max_length=50, label="API user id",
        help_text="Greenhouse: the user notes are written as (On-Behalf-Of); Lever: "
        "perform_as; Workable: the member id comments are written as.")
    writeback_enabled = forms.BooleanField(required=False, label="Write the verdict back")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # Which integration a connection feeds never changes: its candidates and
            # deliveries belong to that integration.
            self.fields["integration"].disabled = True
            self.fields["kind"].disabled = True
