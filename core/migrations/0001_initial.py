"""The audit trail moves from the review app (label "vetting") to core, table and all.

Only Django's idea of which app owns the model changes: the table vetting_auditevent, its
indexes and its append-only trigger (created by vetting 0001/0002) stay as they are, so no
row is touched. On a new database those two migrations still create the table first; this
depends on them for that reason only, and vetting 0004 then forgets the model.
"""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("vetting", "0002_append_only_and_queue_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("actor_label", models.CharField(max_length=150)),
                        ("action", models.CharField(max_length=60)),
                        ("target_type", models.CharField(max_length=60)),
                        ("target_id", models.CharField(max_length=64)),
                        ("before", models.JSONField(
                            blank=True, null=True,
                            encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ("after", models.JSONField(
                            blank=True, null=True,
                            encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ("actor", models.ForeignKey(
                            blank=True, db_constraint=False, null=True,
                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                            to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "vetting_auditevent",
                        "indexes": [
                            models.Index(fields=["target_type", "target_id", "-id"],
                                         name="audit_target"),
                            models.Index(fields=["action", "-id"], name="audit_action"),
                            models.Index(fields=["actor_label", "-id"], name="audit_actor"),
                        ],
                    },
                ),
            ],
        ),
    ]
