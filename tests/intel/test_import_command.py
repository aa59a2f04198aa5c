"""`manage.py import_ip_ranges <category> <path-or-url>...`: files, URLs, and what it prints."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intel.ipranges import categories_for
from intel.models import IpRange, IpRangeList
from tests.intel.conftest import SAMPLE_RANGES

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_ip_ranges", *args, stdout=out)
    return out.getvalue()


def stored(category: str) -> set[str]:
    return set(IpRange.objects.filter(range_list__category=category)
               .values_list("network", flat=True))


class TestFromFile:
    def test_it_imports_a_file_and_prints_counts_rejected_lines_and_time(self, tmp_path):
        path = tmp_path / "vpn.txt"
        path.write_text("# VPN list\n192.0.2.0/24\n2001:db8::/32  # v6\nnot-a-range\n"
                        "192.0.2.0/24\n198.51.100.300\n")
        output = run("vpn", str(path))
        assert ("Imported 2 ranges into 'vpn' (1 IPv4, 1 IPv6); replaced 0; "
                "1 duplicate lines skipped; 2 rejected.") in output
        assert "Rejected lines (first 2 of 2):" in output
        assert "  line 4: 'not-a-range': not an IPv4 or IPv6 address or CIDR" in output
        assert "  line 6: '198.51.100.300': " in output
        assert "Elapsed: " in output
        assert stored("vpn") == {"192.0.2.0/24", "2001:db8::/32"}
        assert IpRangeList.objects.get(category="vpn").source == str(path)

    def test_it_shows_only_the_first_rejected_lines(self, tmp_path):
        path = tmp_path / "list.txt"
        path.write_text("192.0.2.0/24\n" + "junk\n" * 30)
        output = run("vpn", str(path), "--show-rejected", "3")
        assert "Rejected lines (first 3 of 30):" in output
        assert "line 4:" in output and "line 5:" not in output

    def test_it_reports_a_re_import_as_a_replacement(self, tmp_path):
        path = tmp_path / "list.txt"
        path.write_text("192.0.2.0/24\n198.51.100.0/24\n")
        run("tor", str(path))
        path.write_text("203.0.113.0/24\n")
        assert "replaced 2" in run("tor", str(path))
        assert stored("tor") == {"203.0.113.0/24"}

    def test_it_imports_several_sources_into_one_category(self, tmp_path):
        (tmp_path / "v4.txt").write_text("192.0.2.0/24\n")
        (tmp_path / "v6.txt").write_text("2001:db8::/32\n")
        output = run("vpn", str(tmp_path / "v4.txt"), str(tmp_path / "v6.txt"))
        assert "(1 IPv4, 1 IPv6)" in output
        assert stored("vpn") == {"192.0.2.0/24", "2001:db8::/32"}

    def test_it_imports_the_real_astrill_blocks(self):
        output = run("astrill", str(SAMPLE_RANGES / "astrill-ipv4.txt"))
        assert "Imported 11 ranges into 'astrill' (11 IPv4, 0 IPv6)" in output
        assert "0 rejected" in output

    def test_it_fails_clearly_for_a_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match="Cannot read .*missing.txt: No such file"):
            run("vpn", str(tmp_path / "missing.txt"))

    def test_it_fails_for_a_bad_category_and_imports_nothing(self, tmp_path):
        path = tmp_path / "list.txt"
        path.write_text("192.0.2.0/24\n")
        with pytest.raises(CommandError, match="slug"):
            run("Not A Slug", str(path))
        assert not IpRangeList.objects.exists()

    def test_it_fails_for_a_file_without_ranges_and_keeps_the_old_ones(self, tmp_path):
        good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
        good.write_text("192.0.2.0/24\n")
        bad.write_text("<html>oops</html>\n")
        run("vpn", str(good))
        with pytest.raises(CommandError, match="No valid range"):
            run("vpn", str(bad))
        assert stored("vpn") == {"192.0.2.0/24"}


class TestFromUrl:
    def test_it_downloads_and_imports(self, httpserver):
        httpserver.expect_request("/vpn/ipv4.txt").respond_with_data(
            "# list\n192.0.2.0/24\n198.51.100.0/24\n", content_type="text/plain")
        output = run("vpn", httpserver.url_for("/vpn/ipv4.txt"))
        assert "Imported 2 ranges into 'vpn'" in output
        assert stored("vpn") == {"192.0.2.0/24", "198.51.100.0/24"}
        assert IpRangeList.objects.get(category="vpn").source == httpserver.url_for(
            "/vpn/ipv4.txt")

    def test_a_server_error_replaces_nothing(self, httpserver, tmp_path):
        path = tmp_path / "list.txt"
        path.write_text("192.0.2.0/24\n")
        run("vpn", str(path))
        httpserver.expect_request("/vpn/ipv4.txt").respond_with_data("busy", status=503)
        with pytest.raises(CommandError, match="Download failed, nothing imported: "
                                               ".*answered HTTP 503"):
            run("vpn", httpserver.url_for("/vpn/ipv4.txt"))
        assert stored("vpn") == {"192.0.2.0/24"}

    def test_a_missing_list_replaces_nothing(self, httpserver):
        httpserver.expect_request("/gone.txt").respond_with_data("not found", status=404)
        with pytest.raises(CommandError, match="answered HTTP 404"):
            run("vpn", httpserver.url_for("/gone.txt"))
        assert not IpRangeList.objects.exists()

    def test_the_import_is_live_in_this_process_after_the_command(
            self, httpserver, django_capture_on_commit_callbacks):
        httpserver.expect_request("/tor.txt").respond_with_data("192.0.2.0/24\n")
        assert categories_for("192.0.2.9") == []
        with django_capture_on_commit_callbacks(execute=True):
            run("tor", httpserver.url_for("/tor.txt"))
        assert categories_for("192.0.2.9") == ["tor"]
