"""IP geolocation, offline: iptocc by default, a MaxMind .mmdb when GEOIP_MMDB_PATH is set."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from intel.geo import country_for, mmdb_reader
from tests.intel.mmdb import write_country_mmdb


@pytest.fixture(autouse=True)
def fresh_readers():
    mmdb_reader.cache_clear()
    yield
    mmdb_reader.cache_clear()


class TestIptocc:
    @pytest.mark.parametrize(("ip", "country"), [
        ("8.8.8.8", "US"),
        ("1.0.16.1", "JP"),
        ("175.45.176.1", "KP"),  # North Korea's own space (175.45.176.0/22)
        ("2001:4860:4860::8888", "US"),
        ("::ffff:8.8.8.8", "US"),  # IPv4-mapped IPv6: iptocc alone answers nothing
    ])
    def test_it_maps_public_addresses_to_countries(self, ip, country):
        assert country_for(ip) == country

    @pytest.mark.parametrize("ip", [
        "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "::1", "fe80::1", "fc00::1",
        "100.64.0.1", "169.254.1.1", "0.0.0.0", "255.255.255.255", "192.0.2.1",
        "2001:db8::1", "224.0.0.1", "ff02::1", "::ffff:10.0.0.1",
    ])
    def test_it_has_no_country_for_private_or_reserved_addresses(self, ip):
        assert country_for(ip) == ""

    @pytest.mark.parametrize("value", ["", "nope", "8.8.8", "8.8.8.8/24", "999.1.1.1", None])
    def test_it_has_no_country_for_what_is_not_an_ip(self, value):
        assert country_for(value) == ""


class TestMaxMind:
    def test_it_reads_countries_from_the_configured_database(self, tmp_path):
        path = tmp_path / "GeoLite2-Country.mmdb"
        # Deliberately not the real countries: the answer must come from this file.
        write_country_mmdb(path, {"8.8.8.0/24": "FR", "175.45.176.0/22": "KP"})
        with override_settings(GEOIP_MMDB_PATH=str(path)):
            assert country_for("8.8.8.8") == "FR"
            assert country_for("175.45.179.255") == "KP"
            assert country_for("9.9.9.9") == ""  # not in this database
            assert country_for("2001:4860:4860::8888") == ""  # IPv4-only database
            assert country_for("10.0.0.1") == ""
            assert country_for("garbage") == ""

    def test_it_reads_flat_country_records(self, tmp_path):
        path = tmp_path / "country.mmdb"
        write_country_mmdb(path, {"8.8.8.0/24": "de"}, database_type="ipinfo country.mmdb",
                           record="flat")
        with override_settings(GEOIP_MMDB_PATH=str(path)):
            assert country_for("8.8.8.8") == "DE"

    def test_a_missing_file_is_a_clear_configuration_error(self, tmp_path):
        path = tmp_path / "missing.mmdb"
        with override_settings(GEOIP_MMDB_PATH=str(path)):
            with pytest.raises(ImproperlyConfigured,
                               match="GEOIP_MMDB_PATH=.*missing.mmdb.* cannot be opened"):
                country_for("8.8.8.8")

    def test_a_file_that_is_not_a_database_is_a_clear_configuration_error(self, tmp_path):
        path = tmp_path / "GeoLite2-Country.mmdb"
        path.write_text("<html>Sign in to download</html>")
        with override_settings(GEOIP_MMDB_PATH=str(path)):
            with pytest.raises(ImproperlyConfigured, match="cannot be opened as a MaxMind"):
                country_for("8.8.8.8")

    def test_a_database_without_countries_is_a_clear_configuration_error(self, tmp_path):
        path = tmp_path / "GeoLite2-ASN.mmdb"
        write_country_mmdb(path, {"8.8.8.0/24": "US"}, database_type="GeoLite2-ASN")
        with override_settings(GEOIP_MMDB_PATH=str(path)):
            with pytest.raises(ImproperlyConfigured, match="'GeoLite2-ASN' database"):
                country_for("8.8.8.8")
