from django.core.management.base import BaseCommand

from candidates.authentication import api_key_create
from candidates.models import Integration


class Command(BaseCommand):
    help = "Create an API key for an integration (created if new); prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("integration", help="Integration (ATS connection) name")

    def handle(self, *args, integration: str, **options):
        obj, created = Integration.objects.get_or_create(name=integration)
        key = api_key_create(integration=obj, actor="command:create_api_key")
        if created:
            self.stderr.write(f"Created integration {obj.name!r}.")
        self.stderr.write("Store this key now; it cannot be shown again:")
        self.stdout.write(key)
