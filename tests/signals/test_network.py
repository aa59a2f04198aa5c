"""The network check (THREATS D1-D3): IPs in Astrill, VPN, Tor, datacenter and other range
lists, IPs abroad, and North Korean address space; with honest look-alikes scored for real."""

import pytest

from candidates.models import Candidate
from intel import ipranges
from intel.ipranges import ip_ranges_import
from signals.checks.network import network_check
from signals.engine import CandidateSnapshot, IpSnap, Lookups, run_checks
from signals.scoring import default_weights, score_flags
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory
from tests.intel.conftest import SAMPLE_RANGES

# Public addresses (the check ignores documentation ranges), answered from memory below.
ASTRILL = "104.140.119.7"  # an Astrill-registered /24, inside the datacenter list too
VPN = "185.159.157.20"
VPN6 = "2a0d:5600:24::7"
TOR = "185.220.101.33"
HOSTING = "159.65.10.10"
PROXY = "45.77.1.1"
HOME_US = "73.15.20.1"
HOME_US_2 = "24.5.6.7"
PARIS = "90.1.2.3"
BEIJING = "123.112.0.1"
MOSCOW = "95.24.0.1"
PYONGYANG = "175.45.176.9"

CATEGORIES = {
    ASTRILL: ["astrill", "datacenter"],
    VPN: ["datacenter", "vpn"],
    VPN6: ["vpn"],
    TOR: ["tor"],
    HOSTING: ["datacenter"],
    PROXY: ["proxy"],
}
COUNTRIES = {
    ASTRILL: "US", VPN: "CH", VPN6: "SE", TOR: "DE", HOSTING: "US", PROXY: "NL",
    HOME_US: "US", HOME_US_2: "US", PARIS: "FR", BEIJING: "CN", MOSCOW: "RU", PYONGYANG: "KP",
}


class MemoryLookups(Lookups):
    def __init__(self, categories=None, countries=None):
        self.categories = CATEGORIES if categories is None else categories
        self.countries = COUNTRIES if countries is None else countries
        self.asked: list[str] = []

    def ip_categories(self, ip: str) -> list[str]:
        self.asked.append(ip)
        return list(self.categories.get(ip, []))

    def ip_country(self, ip: str) -> str:
        return self.countries.get(ip, "")


def snap(*ips: tuple[str, str], country: str = "US") -> CandidateSnapshot:
    return CandidateSnapshot(id=1, full_name="Dana Whitfield", location_country=country,
                             ips=tuple(IpSnap(ip, source) for ip, source in ips))


def flags(*ips: tuple[str, str], country: str = "US", lookups=None) -> dict:
    found = network_check(snap(*ips, country=country), lookups or MemoryLookups())
    codes = [flag.code for flag in found]
    assert len(codes) == len(set(codes)), "one flag per code"
    return {flag.code: flag for flag in found}


def scored(*ips: tuple[str, str], country: str = "US"):
    found = network_check(snap(*ips, country=country), MemoryLookups())
    return score_flags(found, default_weights())


class TestRangeCategories:
    def test_it_flags_an_astrill_interview_ip_with_its_evidence(self):
        found = flags((HOME_US, "application"), (ASTRILL, "interview"))
        assert set(found) == {"network.astrill"}
        flag = found["network.astrill"]
        assert flag.summary == f"Interview IP {ASTRILL} is in an Astrill VPN block"
        assert flag.evidence == {"category": "astrill", "ips": [
            {"ip": ASTRILL, "source": "interview", "categories": ["astrill", "datacenter"],
             "category": "astrill", "country": "US"}]}

    def test_an_ip_in_astrill_and_datacenter_lists_counts_once_as_astrill(self):
        assert set(flags((ASTRILL, "login"))) == {"network.astrill"}

    def test_an_ip_in_vpn_and_datacenter_lists_counts_as_vpn(self):
        assert set(flags((VPN, "application"))) == {"network.vpn"}

    @pytest.mark.parametrize(("ip", "code"), [
        (VPN6, "network.vpn"), (TOR, "network.tor"), (HOSTING, "network.datacenter"),
        (PROXY, "network.category"),
    ])
    def test_it_flags_each_category(self, ip, code):
        assert set(flags((ip, "login"))) == {code}

    def test_another_imported_category_is_named(self):
        flag = flags((PROXY, "login"))["network.category"]
        assert flag.evidence["category"] == "proxy"
        assert flag.summary == f"Login IP {PROXY} is in the imported list 'proxy'"

    def test_the_weights_rank_astrill_over_vpn_over_tor_over_datacenter(self):
        points = default_weights().points
        assert (points["network.astrill"] > points["network.vpn"] > points["network.tor"]
                > points["network.datacenter"] > points["network.category"])

    def test_it_lists_every_ip_of_a_category_in_one_flag(self):
        flag = flags((ASTRILL, "application"), (ASTRILL, "login"), (VPN, "interview"),
                     (HOSTING, "other"))
        assert set(flag) == {"network.astrill", "network.vpn", "network.datacenter"}
        astrill = flag["network.astrill"]
        assert astrill.summary == (
            f"Application IP {ASTRILL} (also login) is in an Astrill VPN block")
        assert [e["source"] for e in astrill.evidence["ips"]] == ["application", "login"]

    def test_several_ips_are_summed_up_in_one_line(self):
        other = "104.140.119.8"
        lookups = MemoryLookups({**CATEGORIES, other: ["astrill"]})
        flag = flags((ASTRILL, "application"), (other, "interview"), lookups=lookups)
        assert flag["network.astrill"].summary == (
            f"2 IPs (application {ASTRILL}, interview {other}) are in Astrill VPN blocks")

    def test_it_asks_once_per_distinct_ip(self):
        lookups = MemoryLookups()
        network_check(snap((VPN, "application"), (VPN, "interview"), (VPN, "interview")),
                      lookups)
        assert lookups.asked == [VPN]


class TestCountries:
    def test_it_flags_an_ip_in_another_country(self):
        found = flags((PARIS, "application"))
        assert set(found) == {"network.country_mismatch"}
        flag = found["network.country_mismatch"]
        assert flag.summary == (f"Application IP {PARIS} is in FR; the candidate says they "
                                "live in US")
        assert flag.evidence["location_country"] == "US"
        assert flag.evidence["ips"][0]["country"] == "FR"
        assert flag.multiplier == 1.0

    def test_it_weighs_a_high_risk_country_more(self):
        found = flags((BEIJING, "interview"), (MOSCOW, "login"))
        assert set(found) == {"network.high_risk_country"}
        assert "China, Russia" in found["network.high_risk_country"].summary
        points = default_weights().points
        assert points["network.high_risk_country"] > points["network.country_mismatch"]

    def test_living_in_a_high_risk_country_is_not_a_signal(self):
        assert flags((BEIJING, "application"), country="CN") == {}
        assert flags((MOSCOW, "application"), country="ru") == {}

    def test_north_korean_space_is_flagged_whatever_the_claimed_residence(self):
        for residence in ("US", "KP", ""):
            found = flags((PYONGYANG, "login"), country=residence)
            assert set(found) == {"network.north_korea"}, residence
        assert scored((PYONGYANG, "login")).level == "critical"

    def test_a_vpn_or_hosting_ip_is_not_compared_with_the_residence(self):
        # The VPN exit is in Switzerland: that is where the server is, not the candidate.
        assert set(flags((VPN, "application"))) == {"network.vpn"}
        assert set(flags((TOR, "application"))) == {"network.tor"}

    def test_no_claimed_residence_means_no_mismatch(self):
        assert flags((PARIS, "application"), country="") == {}

    def test_an_ip_without_a_known_country_is_not_a_mismatch(self):
        assert flags(("81.2.69.160", "application")) == {}


class TestHonestLookAlikes:
    """Scored with the real weights: what a recruiter would see."""

    def test_a_privacy_vpn_user_with_clean_evidence_stays_low(self):
        result = scored((VPN, "application"), (VPN, "interview"), (VPN6, "login"))
        assert result.level == "low"
        assert [f["code"] for f in result.flags] == ["network.vpn"]

    def test_a_vpn_user_with_a_home_ip_too_stays_low(self):
        assert scored((VPN, "application"), (HOME_US, "interview")).level == "low"

    def test_a_traveller_with_one_interview_ip_abroad_is_weak(self):
        found = flags((HOME_US, "application"), (PARIS, "interview"), (HOME_US_2, "login"))
        flag = found["network.country_mismatch"]
        assert flag.multiplier == 0.5
        assert flag.evidence["ips_at_home"] == [HOME_US, HOME_US_2]
        assert flag.summary.endswith("(and 2 IPs there)")
        result = scored((HOME_US, "application"), (PARIS, "interview"), (HOME_US_2, "login"))
        assert result.level == "low" and result.score <= 6

    def test_someone_working_from_a_cloud_desktop_stays_low(self):
        assert scored((HOSTING, "login"), (HOME_US, "application")).level == "low"

    def test_astrill_alone_holds_for_review_and_with_china_it_is_high(self):
        assert scored((ASTRILL, "application")).level == "medium"
        assert scored((ASTRILL, "application"), (BEIJING, "login")).level == "high"

    def test_an_applicant_connecting_only_from_china_while_claiming_the_us_is_medium(self):
        assert scored((BEIJING, "application"), (BEIJING, "interview")).level == "medium"


class TestNeverFlagged:
    @pytest.mark.parametrize("ip", [
        "10.0.0.7", "192.168.1.20", "172.16.5.4", "127.0.0.1", "::1", "fe80::1", "fd00::1",
        "100.64.0.1", "169.254.10.10", "192.0.2.10", "2001:db8::1", "224.0.0.251",
        "0.0.0.0", "::ffff:10.0.0.1",
    ])
    def test_private_and_reserved_addresses_are_never_flagged_or_looked_up(self, ip):
        class Refusing(Lookups):
            def ip_categories(self, ip):
                raise AssertionError(f"looked up {ip}")

            def ip_country(self, ip):
                raise AssertionError(f"looked up {ip}")

        assert network_check(snap((ip, "login")), Refusing()) == []

    @pytest.mark.parametrize("value", ["not-an-ip", "", "   ", "999.1.1.1", "10.0.0.0/8",
                                       "1.2.3", "fe80::1%eth0", "::ffff:zz"])
    def test_a_value_that_is_not_an_ip_does_not_break_the_check(self, value):
        results = run_checks(snap((value, "login"), (ASTRILL, "interview")), MemoryLookups(),
                             {"network": network_check})
        assert results.failed == []
        assert [flag.code for flag in results.flags] == ["network.astrill"]

    def test_an_ipv4_mapped_address_is_checked_as_ipv4(self):
        found = flags((f"::ffff:{ASTRILL}", "login"))
        assert found["network.astrill"].evidence["ips"][0]["ip"] == ASTRILL

    def test_an_unknown_source_reads_as_other(self):
        found = flags((ASTRILL, ""))
        assert found["network.astrill"].evidence["ips"][0]["source"] == "other"


@pytest.mark.django_db
class TestWithTheDatabase:
    """Through the API, the real look-ups (intel.ipranges, intel.geo) and scoring."""

    @pytest.fixture(autouse=True)
    def fresh_range_index(self):
        ipranges.index_reset()
        yield
        ipranges.index_reset()

    def test_an_astrill_ip_from_the_real_blocks_is_flagged(self, api):
        ip_ranges_import(category="astrill", source="astrill-ipv4.txt",
                         lines=(SAMPLE_RANGES / "astrill-ipv4.txt").read_text().splitlines())
        ip_ranges_import(category="datacenter", source="test",
                         lines=["104.140.119.0/24", "104.140.0.0/16"])
        payload = CandidatePayloadFactory(ip_addresses=[
            {"ip": "104.140.119.7", "source": "interview"},
            {"ip": "10.1.2.3", "source": "login"},
        ])
        response = api.post("/api/v1/candidates/", payload, format="json")
        assert response.status_code == 201, response.content
        outcome = candidate_score(candidate_id=response.json()["id"])
        assert outcome.failed == []
        candidate = Candidate.objects.get(pk=response.json()["id"])
        network = [f for f in candidate.risk_flags if f["code"].startswith("network.")]
        assert [f["code"] for f in network] == ["network.astrill"]
        assert network[0]["evidence"]["ips"] == [
            {"ip": "104.140.119.7", "source": "interview", "categories": ["astrill", "datacenter"],
             "category": "astrill", "country": "US"}]

    def test_a_north_korean_ip_is_critical_with_offline_geolocation(self, api):
        payload = CandidatePayloadFactory(ip_addresses=[{"ip": "175.45.176.20",
                                                         "source": "application"}])
        response = api.post("/api/v1/candidates/", payload, format="json")
        candidate_score(candidate_id=response.json()["id"])
        candidate = Candidate.objects.get(pk=response.json()["id"])
        assert candidate.risk_level == "critical"
        assert "network.north_korea" in [f["code"] for f in candidate.risk_flags]
