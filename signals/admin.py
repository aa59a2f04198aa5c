"""Scoring weights in the admin: every change is put on the audit trail, with the values
before and after. ScoreRun (score history) is read-only.

Weight rows are created by signals.services.weights_sync on migrate, one per catalog code,
combination and level, so the admin changes them but neither adds nor deletes them.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from core.audit import audit_record
from core.exceptions import ApplicationError
from signals.models import ComboWeight, FlagWeight, LevelThreshold, ScoreRun, WeightDraft
from signals.preview import weights_preview
from signals.selectors import level_thresholds_forget
from signals.services import weight_draft_publish


class AuditedWeightAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = None
            if change:
                before = model_to_dict(type(obj).objects.select_for_update().get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, action="weights.change" if change else
                         "weights.create", target_type=f"signals.{obj._meta.model_name}",
                         target_id=obj.pk, before=before, after=model_to_dict(obj))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FlagWeight)
class FlagWeightAdmin(AuditedWeightAdmin):
    list_display = ["code", "points", "enabled", "updated_at"]
    list_editable = ["points", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["code"]
    readonly_fields = ["code"]


@admin.register(ComboWeight)
class ComboWeightAdmin(AuditedWeightAdmin):
    list_display = ["name", "bonus", "enabled", "updated_at"]
    list_editable = ["bonus", "enabled"]
    readonly_fields = ["name"]


@admin.register(LevelThreshold)
class LevelThresholdAdmin(AuditedWeightAdmin):
    list_display = ["level", "min_score", "updated_at"]
    list_editable = ["min_score"]
    readonly_fields = ["level"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(level_thresholds_forget)  # the review pages show them


@admin.register(ScoreRun)
class ScoreRunAdmin(admin.ModelAdmin):
    list_display = ["candidate", "score", "level", "version", "created_at"]
    list_filter = ["level", "version"]
    raw_id_fields = ["candidate"]
    readonly_fields = [f.name for f in ScoreRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WeightDraft)
class WeightDraftAdmin(admin.ModelAdmin):
    """Try weights before they go live: a draft is previewed (how many candidates, and
    which, would change level; precision and recall on the evaluation population), then
    published, which writes it into the weights in force (audited)."""

    list_display = ["name", "created_by", "created_at", "published_at", "preview_link"]
    readonly_fields = ["created_by", "created_at", "published_at", "published_by"]
    fields = ["name", "points", "combos", "thresholds", *readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user.get_username()
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="weights.draft_save", target_type=
                     "signals.weightdraft", target_id=obj.pk, before=None,
                     after=model_to_dict(obj, fields=["name", "points", "combos", "thresholds"]))

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False  # a published draft is history
        return super().has_change_permission(request, obj)

    @admin.display(description="Preview")
    def preview_link(self, obj):
        url = reverse("admin:signals_weightdraft_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview</a>', url)

    def get_urls(self):
        return [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view),
                 name="signals_weightdraft_preview"),
            path("<int:pk>/publish/", self.admin_site.admin_view(
                require_POST(self.publish_view)), name="signals_weightdraft_publish"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        draft = get_object_or_404(WeightDraft, pk=pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": f"Preview of the draft weights {draft.name}", "draft": draft,
                   "preview": weights_preview(draft=draft),
                   "can_publish": draft.published_at is None
                   and self.has_change_permission(request, draft)}
        return TemplateResponse(request, "admin/signals/weightdraft/preview.html", context)

    def publish_view(self, request, pk: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            weight_draft_publish(draft_id=pk, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("admin:signals_weightdraft_preview", pk=pk)
        messages.success(request, "The draft weights are live; scores follow at each "
                                  "candidate's next scoring.")
        return redirect("admin:signals_weightdraft_changelist")
