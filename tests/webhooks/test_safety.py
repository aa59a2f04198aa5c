"""SSRF: private, loopback and link-local destinations are refused unless allow-listed, when
an endpoint is saved and again at delivery time."""

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from tests.webhooks.conftest import deliveries_of
from webhooks.models import SUBSCRIBABLE, Attempt, DeliveryStatus
from webhooks.safety import url_resolve
from webhooks.services import delivery_send, endpoint_create, endpoint_test_send

REFUSED = [
    "https://127.0.0.1/hook",
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://localhost:8443/hook",  # a name resolving to a loopback address
    "https://[::ffff:10.0.0.1]/hook",  # a private IPv4 address written as IPv6
    "https://[::1]/hook",
    "https://192.168.1.20/hook",
    "https://100.64.0.1/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_private_addresses_without_the_allow_list(url, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    with pytest.raises(ApplicationError) as refused:
        url_resolve(url)
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize("url", REFUSED[:4])
def test_it_refuses_to_save_an_endpoint_pointing_there(url, acme, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    with pytest.raises(ApplicationError) as refused:
        endpoint_create(integration=acme, url=url, event_types=SUBSCRIBABLE, actor="test")
    assert refused.value.code == "invalid" and "url" in refused.value.extra["fields"]


def test_it_allows_what_the_allow_list_names(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32", "10.0.0.0/8"]
    assert url_resolve("https://127.0.0.1/hook") == "127.0.0.1"
    assert url_resolve("https://10.0.0.1/hook") == "10.0.0.1"
    with pytest.raises(ApplicationError):
        url_resolve("https://169.254.169.254/")


def test_it_requires_https_in_production(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    with pytest.raises(ApplicationError):
        url_resolve("http://127.0.0.1/hook")
    with pytest.raises(ApplicationError):
        url_resolve("https://user:pw@127.0.0.1/hook")


def test_it_checks_the_address_again_at_delivery_time(
        endpoint_and_secret, httpserver, settings, django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=False):
        endpoint_test_send(endpoint=endpoint, actor="test")
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []  # the name now points somewhere private
    [delivery] = deliveries_of(endpoint)
    with django_capture_on_commit_callbacks(execute=False):
        assert delivery_send(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    assert len(httpserver.log) == 0
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and "private" in attempt.error
    assert attempt.finished_at <= timezone.now()


def test_it_does_not_follow_redirects(endpoint_and_secret, httpserver,
                                      django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with django_capture_on_commit_callbacks(execute=False):
        endpoint_test_send(endpoint=endpoint, actor="test")
        [delivery] = deliveries_of(endpoint)
        assert delivery_send(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    assert len(httpserver.log) == 1 and Attempt.objects.get().status_code == 302


def test_it_reads_at_most_a_small_part_of_the_answer(
        endpoint_and_secret, httpserver, django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data("x" * 2_000_000)
    with django_capture_on_commit_callbacks(execute=False):
        endpoint_test_send(endpoint=endpoint, actor="test")
        [delivery] = deliveries_of(endpoint)
        assert delivery_send(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    assert len(Attempt.objects.get().response_excerpt) == 500
