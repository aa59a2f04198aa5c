"""Issue 10's recalibration: medium starts at 25 instead of 20, so that a single moderate
signal (20 points) stays low and medium needs corroboration or one strong signal. A row an
admin changed is left alone: only the old default is moved."""

from django.db import migrations

OLD, NEW = 20, 25


def forwards(apps, schema_editor):
    apps.get_model("signals", "LevelThreshold").objects.filter(
        level="medium", min_score=OLD).update(min_score=NEW)


def backwards(apps, schema_editor):
    apps.get_model("signals", "LevelThreshold").objects.filter(
        level="medium", min_score=NEW).update(min_score=OLD)


class Migration(migrations.Migration):
    dependencies = [("signals", "0004_entity_resolution")]
    operations = [migrations.RunPython(forwards, backwards)]
