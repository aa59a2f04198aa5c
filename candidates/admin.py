from django.contrib import admin, messages
from django.template.response import TemplateResponse

from candidates.authentication import api_key_create
from candidates.models import (
    Address,
    ApiKey,
    Candidate,
    Email,
    Employment,
    Integration,
    IpObservation,
    PaymentAccount,
    Phone,
    Profile,
)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Keys are made by the "Create an API key" action or `manage.py create_api_key`,
        # which show them once; here they can be revoked (set "revoked at").
        return False


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    inlines = [ApiKeyInline]
    actions = ["create_api_key"]

    @admin.action(description="Create an API key (shown once)")
    def create_api_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one integration.", messages.ERROR)
            return None
        integration = queryset.get()
        key = api_key_create(integration=integration, actor=request.user)
        # Rendered straight into this response, never stored in a message cookie or session.
        return TemplateResponse(request, "admin/candidates/api_key_created.html",
                                {**self.admin_site.each_context(request),
                                 "integration": integration, "key": key})


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EmailInline(ReadOnlyInline):
    model = Email
    fields = ["address", "canonical"]


class PhoneInline(ReadOnlyInline):
    model = Phone
    fields = ["e164", "region", "number_type", "is_valid"]


class ProfileInline(ReadOnlyInline):
    model = Profile
    fields = ["network", "url", "username", "created_at"]


class IpInline(ReadOnlyInline):
    model = IpObservation
    fields = ["ip", "source", "observed_at"]


class AddressInline(ReadOnlyInline):
    model = Address
    fields = ["kind", "line1", "line2", "city", "region", "postal_code", "country"]


class PaymentAccountInline(ReadOnlyInline):
    model = PaymentAccount
    # Fingerprints are not shown: they are for matching, and meaningless to a person.
    fields = ["method", "bank_country", "bank_name", "iban_last4", "account_last4",
              "routing_last4", "holder_name", "account_email", "wallet_address"]


class EmploymentInline(ReadOnlyInline):
    model = Employment
    fields = ["employer", "title", "start", "end", "country"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    """Candidates come from the ATS API; the admin reads them, it does not edit evidence."""

    list_display = ["full_name", "external_id", "integration", "risk_status", "risk_level",
                    "risk_score", "created_at"]
    list_filter = ["risk_status", "risk_level", "integration"]
    search_fields = ["full_name", "external_id", "emails__canonical"]
    readonly_fields = [f.name for f in Candidate._meta.fields]
    inlines = [EmailInline, PhoneInline, ProfileInline, IpInline, AddressInline,
               PaymentAccountInline, EmploymentInline]

    def has_add_permission(self, request):
        return False
