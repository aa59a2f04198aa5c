"""Scoring weights in the admin: every change is put on the audit trail, with the values
before and after. ScoreRun (score history) is read-only.

Weight rows are created by signals.services.weights_sync on migrate, one per catalog code,
combination and level, so the admin changes them but neither adds nor deletes them.
"""

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from core.audit import audit_record
from signals.models import ComboWeight, FlagWeight, LevelThreshold, ScoreRun


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
