"""The OFAC SDN importer and the sanctions matcher: real-format files (tests/intel/
sdn_files.py), the atomic replace, downloads from a real HTTP server on localhost
(pytest-httpserver), and what matches and what must not."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from intel import sanctions
from intel.models import SanctionsEntry, SanctionsImport, SanctionsName, SanctionsWallet
from intel.sanctions import (
    Form,
    SanctionsFormatError,
    SanctionsSourceUnavailable,
    name_forms,
    programs_parse,
    sanctions_hits,
    sanctions_import,
    sdn_parse,
    text_decode,
)
from intel.tasks import sanctions_import_task
from tests.intel.sdn_files import (
    ALT_BYTES,
    ALT_TEXT,
    ETH,
    SDN_BYTES,
    SDN_NEXT_TEXT,
    SDN_ROWS,
    SDN_TEXT,
    XBT,
    as_published,
)


@pytest.fixture(autouse=True)
def fresh_sanctions_index():
    """The index is per process: no test may answer from a list another test imported (and
    rolled back)."""
    sanctions.index_reset()
    yield
    sanctions.index_reset()


@pytest.fixture
def sdn_list(db):
    return sanctions_import(sdn_text=SDN_TEXT, alt_text=ALT_TEXT, source="test")


def hits(role: str, value: str) -> list[tuple[int, str, float]]:
    return [(h.ent_num, h.matched_name, h.score)
            for h in sanctions_hits(names=[(role, value)], wallets=[])]


def ent_nums(role: str, value: str) -> list[int]:
    return [ent_num for ent_num, _, _ in hits(role, value)]


class TestParsing:
    def test_it_decodes_windows_1252_and_utf_8(self):
        assert "MÜLLER, Jürgen" in text_decode(SDN_BYTES)
        assert "MÜLLER" in text_decode("MÜLLER".encode())
        assert text_decode(b"\x81\xe9") == "\x81é"  # a byte cp1252 leaves undefined

    def test_it_reads_every_entry_in_the_published_format(self):
        entries = {e.ent_num: e for e in sdn_parse(SDN_TEXT)}
        assert len(entries) == len(SDN_ROWS)  # the \x1a line is not an entry
        kim = entries[91001]
        assert (kim.name, kim.sdn_type, kim.programs) == ("KIM, Sang Man", "individual",
                                                          ["DPRK3"])
        assert kim.wallets == [("XBT", XBT), ("ETH", ETH.lower())]
        chinyong = entries[91002]
        assert chinyong.sdn_type == "entity"  # OFAC leaves an entity's type empty (-0-)
        assert chinyong.programs == ["DPRK3", "DPRK4"]
        assert entries[91003].programs == ["DPRK2", "CYBER2"]
        assert entries[91004].aliases == ["CHINA SILVER STAR"]
        assert entries[91008].sdn_type == "vessel"
        assert entries[91009].name == "MÜLLER, Jürgen"
        assert entries[36].remarks == ""  # "-0- " is empty

    @pytest.mark.parametrize("value, tags", [
        ("DPRK3] [CYBER2", ["DPRK3", "CYBER2"]),
        ("[DPRK3] [CYBER2]", ["DPRK3", "CYBER2"]),
        ("DPRK3; CYBER2", ["DPRK3", "CYBER2"]),
        ("DPRK-NKSPEA", ["DPRK-NKSPEA"]),
        ("-0- ", []),
    ])
    def test_it_reads_both_renderings_of_the_programme_list(self, value, tags):
        assert programs_parse(value) == tags

    def test_it_tolerates_lf_line_ends_and_no_end_of_file_marker(self):
        entries = sdn_parse("\n".join(SDN_ROWS) + "\n")
        assert len(entries) == len(SDN_ROWS)

    @pytest.mark.parametrize("text, message", [
        ('abc,"KIM, Sang Man","individual","DPRK3"' + ',"-0- "' * 8, "line 1: entry number"),
        ('91001,"KIM, Sang Man","individual"', "line 1: 3 columns, expected 12"),
        ("<html><body>Service Unavailable</body></html>", "line 1"),
        (SDN_ROWS[1] + "\r\n" + SDN_ROWS[1], "line 2: entry 91001 appears twice"),
    ])
    def test_it_refuses_a_malformed_file_with_the_line(self, text, message):
        with pytest.raises(SanctionsFormatError, match=message):
            sdn_parse(text)


@pytest.mark.django_db
class TestImport:
    def test_it_keeps_the_north_korea_programmes(self):
        result = sanctions_import(sdn_text=SDN_TEXT, alt_text=ALT_TEXT, source="SDN.CSV")
        kept = set(SanctionsEntry.objects.values_list("ent_num", flat=True))
        assert kept == {91001, 91002, 91003, 91004, 91005, 91006, 91007, 91008, 91012, 91013}
        assert (result.entry_count, result.skipped_count) == (10, 3)
        # JINYONG, ANDRÉEV, VOLASYS (ALT.CSV) and CHINA SILVER STAR (remarks). CHONG,
        # Song-hwa is JONG, Song Hwa once folded, and AERO-CARIBBEAN's entry is not kept.
        assert result.alias_count == 4
        assert SanctionsName.objects.get(name="ANDRÉEV, Vitalij").is_alias
        assert result.wallet_count == 2
        assert set(SanctionsWallet.objects.values_list("currency", "address")) == {
            ("XBT", XBT), ("ETH", ETH.lower())}
        assert SanctionsEntry.objects.get(ent_num=91002).programs == "DPRK3; DPRK4"
        record = SanctionsImport.objects.get()
        assert (record.source, record.entry_count, record.alias_count, record.wallet_count) == (
            "SDN.CSV", 10, 4, 2)

    def test_it_keeps_every_programme_when_asked(self):
        result = sanctions_import(sdn_text=SDN_TEXT, alt_text=ALT_TEXT, source="t",
                                  all_programs=True)
        assert (result.entry_count, result.skipped_count, result.alias_count) == (13, 0, 5)
        assert SanctionsEntry.objects.get(ent_num=91009).name == "MÜLLER, Jürgen"

    def test_it_stores_the_normalised_name_for_matching(self, sdn_list):
        row = SanctionsName.objects.get(name="KIM, Sang Man")
        assert row.normalized == "kim man sang"
        assert not row.is_alias

    def test_it_replaces_the_whole_list(self, sdn_list):
        result = sanctions_import(sdn_text=SDN_NEXT_TEXT, source="next")
        assert result.replaced_count == 10
        assert not SanctionsEntry.objects.filter(ent_num=91001).exists()
        assert not SanctionsWallet.objects.exists()  # they were KIM Sang Man's
        assert not SanctionsName.objects.filter(is_alias=True).exclude(
            name="CHINA SILVER STAR").exists()  # no ALT.CSV this time
        assert ent_nums("name", "Sang Man Kim") == []
        assert ent_nums("name", "Sim Hyon Sop") == [91011]
        assert SanctionsImport.objects.count() == 2

    @pytest.mark.parametrize("bad", [
        SDN_TEXT + '\r\n91099,"BROKEN',  # cut off mid-download
        SDN_TEXT.replace("91005,", "9100x,"),
        "<!DOCTYPE html><html><head><title>503</title></head></html>",
    ])
    def test_it_leaves_the_old_list_when_the_new_file_is_malformed(self, sdn_list, bad):
        with pytest.raises(SanctionsFormatError, match="left unchanged"):
            sanctions_import(sdn_text=bad, source="bad")
        assert SanctionsEntry.objects.count() == 10
        assert SanctionsImport.objects.count() == 1
        assert ent_nums("name", "Sang Man Kim") == [91001]

    def test_it_refuses_a_list_without_north_korea_entries(self, sdn_list):
        other = as_published([SDN_ROWS[0], SDN_ROWS[-1]]).decode("cp1252")
        with pytest.raises(SanctionsFormatError, match="no entries of a DPRK programme"):
            sanctions_import(sdn_text=other, source="other")
        assert SanctionsEntry.objects.count() == 10

    def test_it_rolls_back_everything_when_the_import_fails_midway(self, sdn_list,
                                                                monkeypatch):
        def explode(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(SanctionsWallet.objects, "bulk_create", explode)
        with pytest.raises(RuntimeError):
            sanctions_import(sdn_text=SDN_NEXT_TEXT, source="next")
        assert SanctionsEntry.objects.filter(ent_num=91001).exists()
        assert not SanctionsEntry.objects.filter(ent_num=91011).exists()
        assert ent_nums("name", "Sang Man Kim") == [91001]

    def test_it_records_the_import_in_the_audit_trail(self, sdn_list):
        from core.audit import AuditEvent

        event = AuditEvent.objects.get(action="data.import", target_id="ofac-sdn")
        assert event.after["entries"] == 10 and event.after["programs"] == "DPRK*"
        assert len(event.after["sha256"]) == 64


@pytest.mark.django_db
class TestCommand:
    def test_it_imports_files_and_prints_the_counts(self, tmp_path, capsys):
        (tmp_path / "SDN.CSV").write_bytes(SDN_BYTES)
        (tmp_path / "ALT.CSV").write_bytes(ALT_BYTES)
        call_command("import_sanctions", str(tmp_path / "SDN.CSV"), "--alt",
                     str(tmp_path / "ALT.CSV"))
        out = capsys.readouterr().out
        assert ("Imported 10 entries (DPRK programmes; 3 others skipped), 4 aliases, 2 wallet "
                "addresses; replaced 0 entries.") in out
        assert "Elapsed:" in out

    def test_it_keeps_every_programme_with_the_flag(self, tmp_path, capsys):
        (tmp_path / "SDN.CSV").write_bytes(SDN_BYTES)
        call_command("import_sanctions", str(tmp_path / "SDN.CSV"), "--all-programs")
        assert "Imported 13 entries (every programme; 0 others skipped)" in capsys.readouterr().out

    def test_it_downloads_from_urls(self, httpserver, capsys):
        httpserver.expect_request("/exports/SDN.CSV").respond_with_data(
            SDN_BYTES, content_type="text/csv")
        httpserver.expect_request("/exports/ALT.CSV").respond_with_data(
            ALT_BYTES, content_type="text/csv")
        call_command("import_sanctions", httpserver.url_for("/exports/SDN.CSV"),
                     "--alt", httpserver.url_for("/exports/ALT.CSV"))
        assert "Imported 10 entries" in capsys.readouterr().out
        assert ent_nums("employer", "Jinyong IT Cooperation Company") == [91002]
        assert SanctionsImport.objects.get().source.endswith("/exports/ALT.CSV")

    def test_it_replaces_nothing_when_the_server_fails(self, sdn_list, httpserver):
        httpserver.expect_request("/exports/SDN.CSV").respond_with_data(
            "upstream error", status=503)
        with pytest.raises(CommandError, match=r"Download failed, nothing imported: .*503"):
            call_command("import_sanctions", httpserver.url_for("/exports/SDN.CSV"))
        assert SanctionsEntry.objects.count() == 10
        assert SanctionsImport.objects.count() == 1

    def test_it_replaces_nothing_when_alt_csv_fails(self, sdn_list, httpserver):
        httpserver.expect_request("/SDN.CSV").respond_with_data(SDN_NEXT_TEXT)
        httpserver.expect_request("/ALT.CSV").respond_with_data("gone", status=404)
        with pytest.raises(CommandError, match="HTTP 404"):
            call_command("import_sanctions", httpserver.url_for("/SDN.CSV"), "--alt",
                         httpserver.url_for("/ALT.CSV"))
        assert SanctionsEntry.objects.filter(ent_num=91001).exists()

    def test_it_reports_a_malformed_file(self, sdn_list, tmp_path):
        (tmp_path / "SDN.CSV").write_text("ent_num,name\n1,2\n")
        with pytest.raises(CommandError, match="left unchanged"):
            call_command("import_sanctions", str(tmp_path / "SDN.CSV"))
        assert SanctionsEntry.objects.count() == 10

    def test_it_reports_a_missing_file(self, db, tmp_path):
        with pytest.raises(CommandError, match="cannot read"):
            call_command("import_sanctions", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
class TestTask:
    def test_it_downloads_and_imports(self, httpserver):
        httpserver.expect_request("/SDN.CSV").respond_with_data(SDN_BYTES)
        httpserver.expect_request("/ALT.CSV").respond_with_data(ALT_BYTES)
        result = sanctions_import_task(httpserver.url_for("/SDN.CSV"),
                                       httpserver.url_for("/ALT.CSV"))
        assert (result["entries"], result["aliases"], result["wallets"]) == (10, 4, 2)
        from core.audit import AuditEvent

        assert AuditEvent.objects.get(target_id="ofac-sdn").actor_label == (
            "task:sanctions_import_task")

    def test_it_raises_a_retryable_error_on_a_5xx_and_keeps_the_list(self, sdn_list,
                                                                       httpserver):
        httpserver.expect_request("/SDN.CSV").respond_with_data("busy", status=502)
        with pytest.raises(SanctionsSourceUnavailable, match="HTTP 502"):
            sanctions_import_task(httpserver.url_for("/SDN.CSV"))
        assert SanctionsEntry.objects.count() == 10

    def test_it_retries_only_what_may_pass(self):
        assert sanctions_import_task.autoretry_for == (SanctionsSourceUnavailable,)
        assert sanctions_import_task.max_retries == 5


class TestBeatSchedule:
    def settings_schedule(self, **env) -> str:
        code = ("from vetting import settings as s; "
                "print(repr(s.CELERY_BEAT_SCHEDULE.get('import-sanctions')))")
        env = {**os.environ, "DEBUG": "1", "SANCTIONS_SDN_URL": "", "SANCTIONS_ALT_URL": "",
               **env}
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def test_it_schedules_nothing_by_default(self):
        assert self.settings_schedule() == "None"

    def test_it_imports_daily_from_the_configured_urls(self):
        entry = self.settings_schedule(SANCTIONS_SDN_URL="https://ofac.example/SDN.CSV",
                                       SANCTIONS_ALT_URL="https://ofac.example/ALT.CSV")
        assert "intel.tasks.sanctions_import_task" in entry
        assert "('https://ofac.example/SDN.CSV', 'https://ofac.example/ALT.CSV', False)" in entry
        assert "<crontab: 23 4 * * *" in entry


class TestNames:
    @pytest.mark.parametrize("name, form", [
        ("KIM, Sang Man", ("kim", "sang", "man")),
        ("KIM, Sang Man", ("kim", "sangman")),
        ("JONG, Song-Hwa", ("jong", "songhwa")),
        ("정성화", ("jong", "songhwa")),  # Hangul, romanised as the SDN list does
        ("Виталий Андреев", ("vitaliy", "andreev")),  # Cyrillic
        ("Dr. José Núñez-O'Brien", ("jose", "nunez", "obrien")),
        ("Łukasz Øster", ("lukasz", "oster")),
        ("ANDREYEV, Vitaliy Sergeyevich", ("andreyev", "vitaliy")),  # patronymic optional
        ("Jeong Seong-hwa", ("jong", "songhwa")),  # South Korean spellings folded
    ])
    def test_it_folds_people_names(self, name, form):
        assert form in [f.words for f in name_forms(name, person=True)]

    def test_it_drops_legal_forms_from_organisations(self):
        assert name_forms("YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.", person=False) == [
            Form(("yanbian", "silverstar", "network", "technology"))]

    def test_it_knows_where_the_given_names_start_and_what_was_left_out(self):
        forms = {f.words: f for f in name_forms("ANDREYEV, Vitaliy Sergeyevich", person=True)}
        assert forms[("andreyev", "vitaliy", "sergeyevich")] == Form(
            ("andreyev", "vitaliy", "sergeyevich"), given_at=1)
        assert forms[("andreyev", "vitaliy")].dropped


@pytest.mark.django_db
class TestMatching:
    @pytest.mark.parametrize("value", [
        "Sang Man Kim",  # word order
        "kim sang-man",  # case, hyphen
        "Kim Sangman",  # given name written as one word
        "KIM Sang Man",
        "김상만",  # Hangul
    ])
    def test_it_matches_a_listed_person_however_written(self, sdn_list, value):
        assert hits("name", value) == [(91001, "KIM, Sang Man", 100.0)]

    def test_it_matches_transliteration_variants_with_their_score(self, sdn_list):
        # South Korean spelling of a name the list writes the North Korean way.
        assert hits("name", "Jeong Seong-hwa") == [(91003, "JONG, Song Hwa", 100.0)]
        assert hits("name", "Jeong Seonghwa") == [(91003, "JONG, Song Hwa", 100.0)]
        assert hits("name", "정성화") == [(91003, "JONG, Song Hwa", 100.0)]
        # Without the patronymic, and closest to the primary name, or to an alias.
        assert hits("name", "Vitaly Andreyev") == [
            (91005, "ANDREYEV, Vitaliy Sergeyevich", 96.6)]
        assert hits("name", "Vitali Andreev") == [(91005, "ANDRÉEV, Vitalij", 96.3)]
        assert ent_nums("name", "Виталий Андреев") == [91005]

    def test_it_matches_aliases_from_alt_csv(self, sdn_list):
        assert hits("name", "Vitalij Andréev") == [(91005, "ANDRÉEV, Vitalij", 100.0)]
        assert hits("employer", "Jinyong IT Cooperation Co.") == [
            (91002, "JINYONG IT COOPERATION COMPANY", 100.0)]
        assert hits("employer", "China Silver Star") == [(91004, "CHINA SILVER STAR", 100.0)]

    def test_it_matches_a_company_with_a_typo_or_another_legal_form(self, sdn_list):
        [(ent_num, _, score)] = hits("employer",
                                     "Chinyong Informaton Technology Cooperation Company")
        assert ent_num == 91002 and 95 <= score < 100
        assert ent_nums("employer", "Yanbian Silver Star Network Technology Ltd") == [91004]
        assert ent_nums("employer", "Korea Osong Shipping Company Limited") == [91007]

    def test_it_screens_holders_against_people_and_companies(self, sdn_list):
        assert ent_nums("holder", "SANG MAN KIM") == [91001]
        assert ent_nums("holder", "Chinyong Information Technology Cooperation Co") == [91002]

    @pytest.mark.parametrize("role, value", [
        ("name", "Kim Min"),  # a common name sharing words with KIM, Min Ho
        ("name", "Kim Sang Min"),  # one letter from KIM, Sang Man: another person
        ("name", "Kim Chol Su"),  # the same surname only
        ("name", "Min Ho Park"),  # the same given name, another family
        ("name", "Kim"),
        ("name", "Sang Man"),
        ("name", "Song Hwa Jang"),
        ("name", "Vitaliy Petrov"),
        ("name", "Chon Ma San"),  # a vessel's name: not a person
        ("name", "Ryong Ok Hong"),  # HONG, Ok Ryong: given names in another order
        ("name", "Hong Kokryong"),  # Kok Ryong: one syllable changed, hidden when joined
        ("name", "Ryan Adams"),
        ("name", "Chol Ryong Hong"),
        ("name", "Kim Sangmin"),
        ("name", "Yuriy Denisovich Mikhailov"),  # MIKHAILOV, Yuriy Igorevich: another father
        ("employer", "Korea Osung Shipping"),  # one letter changed in the distinctive word
        ("employer", "Korea Ocean Shipping"),  # generic words shared with KOREA OSONG SHIPPING
        ("employer", "Silver Star Technology"),
        ("employer", "Information Technology Company"),
        ("employer", "Chinyong Information Technology Co."),  # a word of the name missing
        ("employer", "Kim Sang Man"),  # employers are screened against companies
        ("name", "Aerocaribbean Airlines"),  # not kept (CUBA programme)
        ("name", "Zhang Wei"),  # not kept (CYBER2 only)
    ])
    def test_it_does_not_match_look_alikes(self, sdn_list, role, value):
        assert hits(role, value) == []

    @pytest.mark.parametrize("value", ["Ok Ryong Hong", "Hong Ok-ryong", "Hong Okryong"])
    def test_it_matches_given_names_in_their_order(self, sdn_list, value):
        assert ent_nums("name", value) == [91012]

    @pytest.mark.parametrize("value", ["Yuriy Mikhailov", "Yuriy Igorevich Mikhailov"])
    def test_it_matches_with_or_without_the_patronymic(self, sdn_list, value):
        assert ent_nums("name", value) == [91013]

    def test_it_matches_wallets_exactly(self, sdn_list):
        [hit] = sanctions_hits(names=[], wallets=[XBT])
        assert (hit.ent_num, hit.role, hit.score, hit.matched_name) == (
            91001, "wallet", 100.0, f"XBT {XBT}")
        assert sanctions_hits(names=[], wallets=[XBT.lower()]) == []  # base58 is case-sensitive
        assert sanctions_hits(names=[], wallets=[XBT[:-1]]) == []

    def test_it_compares_0x_addresses_without_case(self, sdn_list):
        for address in (ETH, ETH.lower(), ETH.upper().replace("0X", "0x")):
            [hit] = sanctions_hits(names=[], wallets=[address])
            assert hit.ent_num == 91001 and hit.query == address

    def test_it_reports_each_entry_once_with_its_best_name(self, sdn_list):
        [hit] = sanctions_hits(names=[("name", "Chong Song-hwa")], wallets=[])
        assert (hit.ent_num, hit.entry_name, hit.programs) == (91003, "JONG, Song Hwa",
                                                               "DPRK2; CYBER2")

    def test_it_answers_nothing_without_a_list(self, db):
        assert sanctions_hits(names=[("name", "Sang Man Kim")], wallets=[XBT]) == []

    def test_it_rebuilds_the_index_when_another_process_imported(self, sdn_list, monkeypatch):
        assert ent_nums("name", "Sim Hyon Sop") == []
        # Another process imports: this one's index is not reset...
        monkeypatch.setattr(sanctions, "index_reset", lambda: None)
        sanctions_import(sdn_text=SDN_NEXT_TEXT, source="next")
        assert ent_nums("name", "Sim Hyon Sop") == []  # ...and answers from it until
        monkeypatch.setattr(sanctions, "_checked_at", 0.0)  # the next marker check
        assert ent_nums("name", "Sim Hyon Sop") == [91011]
