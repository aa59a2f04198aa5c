"""Scheduled imports: the Celery task against a real HTTP server on localhost, and the beat
schedule built from IP_RANGE_SOURCES."""

import json
import os
import subprocess
import sys
import time

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.exceptions import ApplicationError
from intel import ipranges
from intel.ipranges import IpRangeSourceUnavailable, ip_ranges_fetch
from intel.models import IpRange, IpRangeList
from intel.tasks import ip_ranges_import_task
from vetting.settings import envsources


def stored(category: str) -> set[str]:
    return set(IpRange.objects.filter(range_list__category=category)
               .values_list("network", flat=True))


@pytest.mark.django_db
class TestImportTask:
    def test_it_imports_a_list_from_a_url(self, httpserver):
        httpserver.expect_request("/datacenter.txt").respond_with_data(
            "192.0.2.0/24\n198.51.100.0/24\n")
        result = ip_ranges_import_task.apply(
            args=("datacenter", httpserver.url_for("/datacenter.txt"))).get()
        assert result["ranges"] == 2 and result["category"] == "datacenter"
        assert stored("datacenter") == {"192.0.2.0/24", "198.51.100.0/24"}

    def test_it_imports_several_urls_into_one_category(self, httpserver):
        httpserver.expect_request("/vpn/ipv4.txt").respond_with_data("192.0.2.0/24\n")
        httpserver.expect_request("/vpn/ipv6.txt").respond_with_data("2001:db8::/32\n")
        urls = [httpserver.url_for("/vpn/ipv4.txt"), httpserver.url_for("/vpn/ipv6.txt")]
        result = ip_ranges_import_task.apply(args=("vpn", urls)).get()
        assert (result["ipv4"], result["ipv6"]) == (1, 1)
        assert IpRangeList.objects.get(category="vpn").source == ", ".join(urls)

    def test_a_server_error_is_retried_later_and_replaces_nothing(self, httpserver):
        ipranges.ip_ranges_import(category="vpn", lines=["192.0.2.0/24"], source="old")
        httpserver.expect_request("/vpn.txt").respond_with_data("down", status=502)
        with pytest.raises(Retry) as retry:
            ip_ranges_import_task.apply(args=("vpn", httpserver.url_for("/vpn.txt"))).get()
        assert isinstance(retry.value.exc, IpRangeSourceUnavailable)
        assert "answered HTTP 502" in str(retry.value.exc)
        assert 0 <= retry.value.when <= 60  # first backoff step, jittered
        assert stored("vpn") == {"192.0.2.0/24"}
        assert IpRangeList.objects.get(category="vpn").source == "old"

    @pytest.mark.parametrize("status", [429, 500, 503])
    def test_rate_limits_and_server_errors_are_transient(self, httpserver, status):
        httpserver.expect_request("/vpn.txt").respond_with_data("", status=status)
        with pytest.raises(Retry):
            ip_ranges_import_task.apply(args=("vpn", httpserver.url_for("/vpn.txt"))).get()

    def test_it_gives_up_after_the_last_retry_with_the_error(self, httpserver):
        httpserver.expect_request("/vpn.txt").respond_with_data("", status=503)
        with pytest.raises(IpRangeSourceUnavailable, match="answered HTTP 503"):
            ip_ranges_import_task.apply(args=("vpn", httpserver.url_for("/vpn.txt")),
                                        retries=ip_ranges_import_task.max_retries).get()
        assert not IpRangeList.objects.exists()

    def test_a_missing_list_fails_at_once_without_retrying(self, httpserver):
        httpserver.expect_request("/gone.txt").respond_with_data("nope", status=404)
        with pytest.raises(ApplicationError, match="answered HTTP 404"):
            ip_ranges_import_task.apply(args=("vpn", httpserver.url_for("/gone.txt"))).get()
        assert len(httpserver.log) == 1
        assert not IpRangeList.objects.exists()

    def test_a_page_that_is_not_a_list_replaces_nothing(self, httpserver):
        ipranges.ip_ranges_import(category="vpn", lines=["192.0.2.0/24"], source="old")
        httpserver.expect_request("/vpn.txt").respond_with_data(
            "<html><body>Login required</body></html>", content_type="text/html")
        with pytest.raises(ApplicationError, match="No valid range"):
            ip_ranges_import_task.apply(args=("vpn", httpserver.url_for("/vpn.txt"))).get()
        assert stored("vpn") == {"192.0.2.0/24"}


class TestFetch:
    def test_a_timeout_is_transient(self, httpserver, monkeypatch):
        monkeypatch.setattr(ipranges, "FETCH_TIMEOUT", (2, 0.3))

        def slow(request):
            time.sleep(1.0)
            from werkzeug import Response

            return Response("192.0.2.0/24\n")

        httpserver.expect_request("/slow.txt").respond_with_handler(slow)
        with pytest.raises(IpRangeSourceUnavailable, match="ReadTimeout"):
            ip_ranges_fetch(httpserver.url_for("/slow.txt"))

    def test_a_refused_connection_is_transient(self):
        with pytest.raises(IpRangeSourceUnavailable, match="ConnectionError"):
            ip_ranges_fetch("http://127.0.0.1:1/list.txt")

    def test_a_body_too_large_is_refused(self, httpserver, monkeypatch):
        monkeypatch.setattr(ipranges, "FETCH_MAX_BYTES", 1000)
        httpserver.expect_request("/big.txt").respond_with_data("192.0.2.0/24\n" * 200)
        with pytest.raises(ApplicationError, match="larger than 1000 bytes"):
            ip_ranges_fetch(httpserver.url_for("/big.txt"))

    def test_it_decodes_utf8_with_a_byte_order_mark(self, httpserver):
        httpserver.expect_request("/bom.txt").respond_with_data(
            "\ufeff192.0.2.0/24\n".encode("utf-8"))
        assert ip_ranges_fetch(httpserver.url_for("/bom.txt")) == "192.0.2.0/24\n"


class TestBeatSchedule:
    def test_nothing_is_scheduled_by_default(self):
        assert not [name for name in settings.CELERY_BEAT_SCHEDULE
                    if name.startswith("import-ip-ranges-")]
        assert settings.IP_RANGE_SOURCES == {}

    def test_it_parses_sources(self, monkeypatch):
        monkeypatch.setenv("IP_RANGE_SOURCES",
                           " vpn=https://l.example/vpn/ipv4.txt, https://l.example/vpn/ipv6.txt ;"
                           "datacenter=https://l.example/dc.txt;;vpn=http://m.example/more.txt")
        assert envsources("IP_RANGE_SOURCES") == {
            "vpn": ["https://l.example/vpn/ipv4.txt", "https://l.example/vpn/ipv6.txt",
                    "http://m.example/more.txt"],
            "datacenter": ["https://l.example/dc.txt"],
        }

    @pytest.mark.parametrize("value", ["vpn", "vpn=", "VPN=https://x/y",
                                       "vpn=/etc/passwd", "vpn=ftp://x/y", "=https://x/y"])
    def test_it_refuses_malformed_sources(self, monkeypatch, value):
        monkeypatch.setenv("IP_RANGE_SOURCES", value)
        with pytest.raises(ImproperlyConfigured, match="IP_RANGE_SOURCES must look like"):
            envsources("IP_RANGE_SOURCES")

    def test_it_schedules_one_daily_import_per_category(self):
        """Settings are read once per process: load them in a fresh interpreter."""
        code = ("import json; from vetting import settings as s; print(json.dumps("
                "{k: {'task': v['task'], 'args': v['args'], 'hour': sorted(v['schedule'].hour),"
                " 'minute': sorted(v['schedule'].minute), 'options': v['options']}"
                " for k, v in s.CELERY_BEAT_SCHEDULE.items() if k.startswith('import-ip')}))")
        env = {**os.environ, "DEBUG": "1", "IP_RANGES_IMPORT_HOUR": "4",
               "IP_RANGE_SOURCES": "vpn=https://l.example/v4.txt,https://l.example/v6.txt;"
                                   "astrill=https://l.example/astrill.txt"}
        out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,
                             capture_output=True, text=True, check=True).stdout
        schedule = json.loads(out)
        assert schedule == {
            "import-ip-ranges-astrill": {
                "task": "intel.tasks.ip_ranges_import_task",
                "args": ["astrill", ["https://l.example/astrill.txt"]],
                "hour": [4], "minute": [7], "options": {"expires": 21600}},
            "import-ip-ranges-vpn": {
                "task": "intel.tasks.ip_ranges_import_task",
                "args": ["vpn", ["https://l.example/v4.txt", "https://l.example/v6.txt"]],
                "hour": [4], "minute": [12], "options": {"expires": 21600}},
        }
