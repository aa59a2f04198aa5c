"""Apply "no review needed" (review/triage.py) to the candidates already scored and never
touched: the backlog from before the rule, or after REVIEW_NO_REVIEW_BELOW was raised.

    python manage.py review_triage
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from review.triage import review_triage_backlog


class Command(BaseCommand):
    help = "Clear as 'no review needed' the untouched low-risk candidates with weak flags only."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, verbosity: int, **options):
        if not settings.REVIEW_NO_REVIEW_BELOW:
            self.stdout.write("REVIEW_NO_REVIEW_BELOW is off: nothing to do.")
            return
        cleared = review_triage_backlog(batch_size=batch_size,
                                        stdout=self.stdout if verbosity > 1 else None)
        self.stdout.write(f"Cleared {cleared} candidate{'s' if cleared != 1 else ''} as "
                          "no review needed.")
