"""IP range lists: parsing, atomic import, the in-memory index and its refresh."""

import ipaddress
import random

import pytest
from django.test import override_settings

from core.exceptions import ApplicationError
from intel import ipranges
from intel.ipranges import categories_for, ip_ranges_import, ip_ranges_parse
from intel.models import IpRange, IpRangeList
from tests.intel.conftest import SAMPLE_RANGES


def networks(text: str) -> list[str]:
    return [str(n) for n in ip_ranges_parse(text.splitlines()).networks]


def load(category: str, text: str, source: str = "test") -> ipranges.IpRangeImport:
    return ip_ranges_import(category=category, lines=text.splitlines(), source=source)


def stored(category: str) -> set[str]:
    return set(IpRange.objects.filter(range_list__category=category)
               .values_list("network", flat=True))


class TestParse:
    def test_it_reads_ipv4_and_ipv6_cidrs(self):
        assert networks("192.0.2.0/24\n2001:db8::/32\n") == ["192.0.2.0/24", "2001:db8::/32"]

    def test_it_skips_comments_blank_lines_and_inline_comments(self):
        text = ("# X4BNet VPN list\n\n   \n198.51.100.0/24   # provider A\n"
                "203.0.113.0/25;SBL 123\n  # indented comment\n2001:db8:1::/48#no space\n")
        assert networks(text) == ["198.51.100.0/24", "203.0.113.0/25", "2001:db8:1::/48"]

    def test_it_reads_single_addresses_as_host_ranges(self):
        assert networks("192.0.2.7\n2001:db8::5\n") == ["192.0.2.7/32", "2001:db8::5/128"]

    def test_it_clears_host_bits_and_normalises_ipv6(self):
        assert networks("192.0.2.77/24\n2001:DB8:0:0::/32\n") == ["192.0.2.0/24",
                                                               "2001:db8::/32"]

    def test_it_stores_ipv4_mapped_ipv6_ranges_as_ipv4(self):
        assert networks("::ffff:192.0.2.0/120\n") == ["192.0.2.0/24"]

    def test_it_skips_duplicates_and_counts_them(self):
        parsed = ip_ranges_parse(["192.0.2.1", "192.0.2.1/32", "192.0.2.0/24",
                                  "192.0.2.9/24", "2001:db8::/32", "2001:DB8::/32"])
        assert [str(n) for n in parsed.networks] == ["192.0.2.1/32", "192.0.2.0/24",
                                                     "2001:db8::/32"]
        assert parsed.duplicate_count == 3
        assert parsed.rejected_count == 0

    def test_it_rejects_malformed_lines_with_their_numbers_and_keeps_the_rest(self):
        text = ("# header\n192.0.2.0/24\n300.1.2.3\n192.0.2.0/33\n1.2.3\n"
                "198.51.100.0/24 203.0.113.0/24\nfe80::1%eth0\n0.0.0.0/0\n2000::/3\n"
                "01.2.3.4\nnot an ip\n198.51.100.0/24\n")
        parsed = ip_ranges_parse(text.splitlines())
        assert [str(n) for n in parsed.networks] == ["192.0.2.0/24", "198.51.100.0/24"]
        assert parsed.rejected_count == 9
        assert [r.number for r in parsed.rejected] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
        assert parsed.rejected[0].text == "300.1.2.3"
        assert parsed.rejected[0].reason == "not an IPv4 or IPv6 address or CIDR"
        assert "broader than /8" in parsed.rejected[5].reason
        assert "broader than /16" in parsed.rejected[6].reason
        assert "zone" in parsed.rejected[4].reason

    def test_it_handles_windows_line_ends_and_a_byte_order_mark(self):
        assert networks("\ufeff192.0.2.0/24\r\n198.51.100.0/24\r\n") == [
            "192.0.2.0/24", "198.51.100.0/24"]

    def test_it_keeps_a_bounded_sample_of_rejected_lines_but_counts_them_all(self):
        parsed = ip_ranges_parse(["junk " + "x" * 200] * 250)
        assert parsed.rejected_count == 250
        assert len(parsed.rejected) == ipranges.REJECTED_KEPT
        assert len(parsed.rejected[0].text) == 80


@pytest.mark.django_db
class TestImport:
    def test_it_creates_the_category_with_its_counts(self):
        result = load("vpn", "# list\n192.0.2.0/24\n2001:db8::/32\nbad\n192.0.2.0/24\n",
                      source="/srv/vpn.txt")
        assert (result.range_count, result.ipv4_count, result.ipv6_count) == (2, 1, 1)
        assert (result.rejected_count, result.duplicate_count, result.replaced_count) == (1, 1, 0)
        row = IpRangeList.objects.get(category="vpn")
        assert (row.range_count, row.rejected_count, row.source) == (2, 1, "/srv/vpn.txt")
        assert row.imported_at is not None
        assert stored("vpn") == {"192.0.2.0/24", "2001:db8::/32"}

    def test_it_replaces_the_category_and_leaves_the_others_alone(self):
        load("vpn", "192.0.2.0/24\n198.51.100.0/24\n")
        load("datacenter", "203.0.113.0/24\n")
        first = IpRangeList.objects.get(category="vpn").imported_at

        result = load("vpn", "198.51.100.0/24\n2001:db8::/32\n")

        assert result.replaced_count == 2
        assert stored("vpn") == {"198.51.100.0/24", "2001:db8::/32"}
        assert stored("datacenter") == {"203.0.113.0/24"}
        assert IpRangeList.objects.get(category="vpn").imported_at > first
        assert IpRange.objects.count() == 3

    def test_a_failing_import_leaves_the_old_ranges(self, monkeypatch):
        load("vpn", "192.0.2.0/24\n")

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(ipranges, "_ranges_insert", broken)  # after the DELETE
        with pytest.raises(RuntimeError):
            load("vpn", "198.51.100.0/24\n")
        assert stored("vpn") == {"192.0.2.0/24"}
        assert IpRangeList.objects.get(category="vpn").range_count == 1

    def test_it_refuses_a_list_without_one_valid_range(self):
        load("vpn", "192.0.2.0/24\n")
        with pytest.raises(ApplicationError, match="No valid range.*left unchanged"):
            load("vpn", "<html>\n<body>Service unavailable</body>\n</html>\n")
        assert stored("vpn") == {"192.0.2.0/24"}

    @pytest.mark.parametrize("category", ["", "VPN", "vpn list", "../x", "-vpn", "v" * 51])
    def test_it_refuses_a_category_that_is_not_a_slug(self, category):
        with pytest.raises(ApplicationError, match="slug"):
            load(category, "192.0.2.0/24\n")
        assert not IpRangeList.objects.exists()

    def test_it_records_the_import_in_the_audit_trail(self):
        from core.audit import AuditEvent

        ip_ranges_import(category="tor", lines=["192.0.2.1", "bad"], source="tor.txt",
                         actor="command:import_ip_ranges")
        event = AuditEvent.objects.get(action="data.import", target_id="ip-ranges:tor")
        assert event.actor_label == "command:import_ip_ranges"
        assert event.after["ranges"] == 1 and event.after["rejected"] == 1
        assert event.after["source"] == "tor.txt" and len(event.after["sha256"]) == 64


@pytest.mark.django_db
class TestLookup:
    def test_it_finds_the_first_and_last_address_of_an_ipv4_range(self):
        load("vpn", "198.51.100.64/26\n")
        assert categories_for("198.51.100.64") == ["vpn"]
        assert categories_for("198.51.100.127") == ["vpn"]
        assert categories_for("198.51.100.63") == []
        assert categories_for("198.51.100.128") == []

    def test_it_finds_the_first_and_last_address_of_an_ipv6_range(self):
        load("vpn", "2001:db8:1::/48\n")
        assert categories_for("2001:db8:1::") == ["vpn"]
        assert categories_for("2001:db8:1:ffff:ffff:ffff:ffff:ffff") == ["vpn"]
        assert categories_for("2001:db8:0:ffff:ffff:ffff:ffff:ffff") == []
        assert categories_for("2001:db8:2::") == []

    def test_it_keeps_ipv4_and_ipv6_apart(self):
        # 0.0.0.1 and ::1 are both the integer 1.
        load("vpn", "192.0.2.0/24\n")
        load("datacenter", "::/96\n")
        assert categories_for("::c000:201") == ["datacenter"]
        assert categories_for("192.0.2.1") == ["vpn"]

    def test_it_answers_every_category_of_overlapping_lists(self):
        load("datacenter", "198.51.100.0/24\n10.0.0.0/8\n")
        load("astrill", "198.51.100.0/26\n")
        load("vpn", "198.51.100.32/27\n198.51.100.0/28\n")
        assert categories_for("198.51.100.1") == ["astrill", "datacenter", "vpn"]
        assert categories_for("198.51.100.20") == ["astrill", "datacenter"]
        assert categories_for("198.51.100.40") == ["astrill", "datacenter", "vpn"]
        assert categories_for("198.51.100.100") == ["datacenter"]
        assert categories_for("198.51.101.0") == []

    def test_it_merges_nested_and_adjacent_ranges_of_one_category(self):
        load("vpn", "198.51.100.0/25\n198.51.100.128/25\n198.51.100.0/24\n198.51.100.7\n")
        index = ipranges.ip_ranges_index()
        assert index.v4_starts == [int(ipaddress.ip_address("198.51.100.0")),
                                   int(ipaddress.ip_address("198.51.101.0"))]
        assert categories_for("198.51.100.255") == ["vpn"]

    def test_it_answers_ipv4_mapped_ipv6_as_ipv4(self):
        load("vpn", "198.51.100.0/24\n")
        assert categories_for("::ffff:198.51.100.9") == ["vpn"]

    @pytest.mark.parametrize("value", ["", "nope", "198.51.100", "198.51.100.300", "01.2.3.4",
                                       "198.51.100.0/24", " 198.51.100.9", "fe80::1%eth0",
                                       None, 42])
    def test_it_answers_nothing_for_what_is_not_an_ip(self, value):
        load("vpn", "198.51.100.0/24\n")
        assert categories_for(value) == []

    def test_it_answers_nothing_before_any_import(self):
        assert categories_for("198.51.100.9") == []


@pytest.mark.django_db
class TestRefresh:
    def test_an_import_in_this_process_is_seen_once_it_commits(
            self, django_capture_on_commit_callbacks):
        assert categories_for("198.51.100.9") == []  # index built, empty
        with django_capture_on_commit_callbacks(execute=True):
            load("vpn", "198.51.100.0/24\n")
        assert categories_for("198.51.100.9") == ["vpn"]

    def test_another_process_import_is_seen_after_the_refresh_interval(self, monkeypatch):
        assert categories_for("198.51.100.9") == []
        # As another process would: the rows change, this process is not told (the
        # on_commit reset does not run inside the test transaction).
        load("vpn", "198.51.100.0/24\n")
        assert categories_for("198.51.100.9") == []  # within the interval: cached
        clock = ipranges.time.monotonic() + 31
        monkeypatch.setattr(ipranges.time, "monotonic", lambda: clock)
        assert categories_for("198.51.100.9") == ["vpn"]

    def test_it_does_not_rebuild_when_nothing_changed(self, django_assert_num_queries):
        load("vpn", "198.51.100.0/24\n")
        with override_settings(IP_RANGES_REFRESH_SECONDS=0):
            categories_for("198.51.100.9")  # builds
            index = ipranges.ip_ranges_index()
            with django_assert_num_queries(1):  # only the marker
                assert categories_for("198.51.100.9") == ["vpn"]
            assert ipranges.ip_ranges_index() is index

    def test_it_serves_look_ups_from_memory_within_the_interval(
            self, django_assert_num_queries):
        load("vpn", "198.51.100.0/24\n")
        categories_for("198.51.100.9")
        with django_assert_num_queries(0):
            for n in range(100):
                categories_for(f"198.51.100.{n}")

    @override_settings(IP_RANGES_REFRESH_SECONDS=0)
    def test_a_removed_category_is_dropped_from_the_index(self):
        load("vpn", "198.51.100.0/24\n")
        load("tor", "192.0.2.0/24\n")
        assert categories_for("198.51.100.9") == ["vpn"]
        IpRangeList.objects.filter(category="vpn").delete()
        assert categories_for("198.51.100.9") == []
        assert categories_for("192.0.2.1") == ["tor"]


@pytest.mark.django_db
class TestRealLists:
    """Samples of the real X4BNet lists (about 2,100 datacenter and 650 VPN ranges) and Astrill's
    blocks."""

    def test_it_imports_the_datacenter_list_and_answers_correctly(self):
        path = SAMPLE_RANGES / "datacenter-ipv4.txt"
        lines = path.read_text().splitlines()
        expected = {str(ipaddress.ip_network(line.strip())) for line in lines
                    if line.strip() and not line.startswith("#")}
        assert len(expected) > 2_000

        result = load("datacenter", path.read_text(), source=str(path))
        load("astrill", (SAMPLE_RANGES / "astrill-ipv4.txt").read_text())

        assert (result.range_count, result.rejected_count) == (len(expected), 0)
        assert IpRange.objects.filter(range_list__category="datacenter").count() == len(expected)
        # Known in: the first and last address of the first and last ranges of the file.
        for text in (lines[0], lines[-1]):
            network = ipaddress.ip_network(text.strip())
            assert categories_for(str(network[0])) == ["datacenter"]
            assert categories_for(str(network[-1])) == ["datacenter"]
        # Every Astrill block lies inside the datacenter list (the sample keeps those ranges).
        assert categories_for("104.140.119.77") == ["astrill", "datacenter"]
        # Known out: private space and documentation ranges are in no hosting list.
        assert categories_for("192.168.1.10") == []
        assert categories_for("192.0.2.1") == []

        # Against an independent answer: is any prefix of the address in the list?
        networks = {ipaddress.ip_network(n) for n in expected}
        rng = random.Random(4)
        inside = 0
        for _ in range(3000):
            ip = ipaddress.ip_address(rng.getrandbits(32))
            member = any(ipaddress.ip_network((ip, p), strict=False) in networks
                         for p in range(8, 33))
            inside += member
            assert ("datacenter" in categories_for(str(ip))) == member, ip
        assert inside > 0  # the sample did hit some ranges

    def test_it_imports_vpn_ipv4_and_ipv6_as_one_category(self):
        text = ((SAMPLE_RANGES / "vpn-ipv4.txt").read_text() + "\n"
                + (SAMPLE_RANGES / "vpn-ipv6.txt").read_text())
        result = load("vpn", text)
        assert result.ipv4_count > 500 and result.ipv6_count > 100
        assert result.rejected_count == 0
        first_v6 = (SAMPLE_RANGES / "vpn-ipv6.txt").read_text().split()[0]
        assert categories_for(str(ipaddress.ip_network(first_v6)[1])) == ["vpn"]
