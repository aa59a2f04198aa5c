"""The audit trail now belongs to core (core 0001 adopted the table); forget it here.
State only: the table, its rows and its trigger stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("vetting", "0003_candidate_flags"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
        ),
    ]
