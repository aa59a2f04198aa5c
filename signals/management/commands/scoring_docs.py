from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from signals.docs import scoring_markdown


class Command(BaseCommand):
    help = "Regenerate docs/scoring.md from the flag catalog."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "docs" / "scoring.md"
        path.write_text(scoring_markdown())
        self.stdout.write(f"wrote {path}")
