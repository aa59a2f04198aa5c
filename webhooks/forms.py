from django import forms

from candidates.models import Integration
from webhooks.models import SUBSCRIBABLE, DeliveryStatus, EventType

EVENT_CHOICES = [(value, value) for value in SUBSCRIBABLE]


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(choices=EVENT_CHOICES,
                                            widget=forms.CheckboxSelectMultiple,
                                            initial=SUBSCRIBABLE)


class EndpointCreateForm(EndpointForm):
    integration = forms.ModelChoiceField(queryset=Integration.objects.order_by("name"))
    field_order = ["integration", "url", "description", "event_types"]


class EndpointEditForm(EndpointForm):
    enabled = forms.BooleanField(required=False)


class ReplayForm(forms.Form):
    since = forms.DateTimeField(label="Since (UTC)",
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class LogFilterForm(forms.Form):
    event_type = forms.ChoiceField(required=False,
                                   choices=[("", "Any event")] + [(v, v) for v in EventType.values])
    status = forms.ChoiceField(required=False,
                               choices=[("", "Any status")] + list(DeliveryStatus.choices))
