"""The Django admin for connections: secrets are typed in clear once and stored encrypted;
the form never shows them back (a blank field keeps the stored one)."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from connectors import crypto
from connectors.models import Connection, Delivery
from connectors.services import connection_assessment_key_issue


class ConnectionForm(forms.ModelForm):
    webhook_secret = forms.CharField(required=False, widget=forms.PasswordInput,
                                     help_text="The secret the ATS signs webhooks with. "
                                     "Leave blank to keep the stored one.")
    api_key = forms.CharField(required=False, widget=forms.PasswordInput,
                              help_text="The ATS API key. Leave blank to keep the stored one.")

    class Meta:
        model = Connection
        fields = ["integration", "kind", "api_base_url", "api_user_id", "writeback_enabled",
                  "is_active"]

    def save(self, commit=True):
        connection = super().save(commit=False)
        if self.cleaned_data.get("webhook_secret"):
            connection.webhook_secret_encrypted = crypto.encrypt(
                self.cleaned_data["webhook_secret"])
        if self.cleaned_data.get("api_key"):
            connection.api_key_encrypted = crypto.encrypt(self.cleaned_data["api_key"])
        if commit:
            connection.save()
        return connection


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ["__str__", "kind", "writeback_enabled", "is_active", "page"]
    actions = ["issue_assessment_key"]

    @admin.display(description="Connection page")
    def page(self, obj):
        return format_html('<a href="{}">deliveries</a>',
                           reverse("connectors:detail", args=[obj.pk]))

    @admin.action(description="Issue a Greenhouse Assessment key (shown once)")
    def issue_assessment_key(self, request, queryset):
        for connection in queryset:
            key = connection_assessment_key_issue(connection=connection)
            self.message_user(request, f"{connection}: {key}", messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "connection", "event", "status", "attempts"]
    list_filter = ["status", "connection"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
