import pytest

from candidates.models import Integration
from connectors.models import AtsKind
from connectors.services import connection_create

GH_SECRET = "greenhouse-webhook-secret"
GH_API_KEY = "harvest-api-key"


@pytest.fixture
def gh_connection(db, httpserver):
    """A Greenhouse connection whose Harvest API is the local fake (pytest-httpserver)."""
    integration = Integration.objects.create(name="acme-greenhouse")
    return connection_create(
        integration=integration, kind=AtsKind.GREENHOUSE, webhook_secret=GH_SECRET,
        api_key=GH_API_KEY, api_base_url=httpserver.url_for("/v1"), api_user_id="4080",
    )
