"""sanctions: the candidate's name, payment holders, employers and wallets screened against
the OFAC SDN list; every hit critical, with the entry and score for a human to judge."""

import pytest

from candidates.models import Candidate
from intel import sanctions as sanctions_intel
from intel.sanctions import sanctions_import
from signals.catalog import CATALOG
from signals.checks.sanctions import sanctions
from signals.engine import (
    CandidateSnapshot,
    EmploymentSnap,
    Lookups,
    PaymentSnap,
    SanctionsHit,
    run_checks,
)
from signals.scoring import default_weights, score_flags
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory
from tests.intel.sdn_files import ALT_TEXT, ETH, SDN_TEXT, XBT

URL = "/api/v1/candidates/"
KIM = SanctionsHit(ent_num=91001, entry_name="KIM, Sang Man", matched_name="KIM, Sang Man",
                   programs="DPRK3", score=100.0, role="name", query="Sang Man Kim")
CHINYONG = SanctionsHit(
    ent_num=91002, entry_name="CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY",
    matched_name="JINYONG IT COOPERATION COMPANY", programs="DPRK3; DPRK4", score=96.4,
    role="employer", query="Jinyong I.T. Cooperation",
)
WALLET = SanctionsHit(ent_num=91001, entry_name="KIM, Sang Man", matched_name=f"XBT {XBT}",
                      programs="DPRK3", score=100.0, role="wallet", query=XBT)


class FakeLookups(Lookups):
    """Answers from memory and records what the check asked."""

    def __init__(self, *hits: SanctionsHit):
        self.hits = list(hits)
        self.calls: list[dict] = []

    def sanctions_hits(self, *, names, wallets):
        self.calls.append({"names": names, "wallets": wallets})
        return self.hits


def snapshot(**fields) -> CandidateSnapshot:
    return CandidateSnapshot(**({"id": 1, "full_name": "Sang Man Kim"} | fields))


def by_code(flags) -> dict:
    return {flag.code: flag for flag in flags}


class TestWhatIsScreened:
    def test_it_screens_the_name_holders_employers_and_wallets(self):
        lookups = FakeLookups()
        sanctions(snapshot(
            payments=(PaymentSnap("bank", holder_name="Korea Sobaeksu Trading Company"),
                      PaymentSnap("crypto", wallet_address=f" {XBT} "),
                      PaymentSnap("crypto", wallet_address=XBT)),
            employments=(EmploymentSnap("Jinyong I.T. Cooperation"), EmploymentSnap("Globex"),
                         EmploymentSnap("  ")),
        ), lookups)
        assert lookups.calls == [{
            "names": [("name", "Sang Man Kim"), ("holder", "Korea Sobaeksu Trading Company"),
                      ("employer", "Jinyong I.T. Cooperation"), ("employer", "Globex")],
            "wallets": [XBT],
        }]

    def test_it_screens_a_holder_who_is_the_candidate_only_once(self):
        lookups = FakeLookups()
        sanctions(snapshot(payments=(PaymentSnap("bank", holder_name="KIM SANG MAN"),)),
                  lookups)
        assert lookups.calls[0]["names"] == [("name", "Sang Man Kim")]

    def test_it_asks_nothing_when_there_is_nothing_to_screen(self):
        lookups = FakeLookups(KIM)
        assert sanctions(snapshot(full_name=" "), lookups) == []
        assert lookups.calls == []

    def test_it_survives_none_values(self):
        odd = snapshot(full_name=None, payments=(PaymentSnap("bank", holder_name=None,
                                                             wallet_address=None),),
                       employments=(EmploymentSnap(None),))
        assert run_checks(odd, FakeLookups(), {"sanctions": sanctions}).failed == []


class TestHits:
    def test_it_flags_a_name_hit_with_the_entry_and_score(self):
        flag = by_code(sanctions(snapshot(), FakeLookups(KIM)))["sanctions.name_match"]
        assert flag.summary == ("Candidate's name 'Sang Man Kim' matches OFAC SDN entry "
                                "KIM, Sang Man (#91001, DPRK3), score 100/100")
        assert flag.evidence == {
            "role": "name", "candidate_value": "Sang Man Kim", "ent_num": 91001,
            "entry_name": "KIM, Sang Man", "matched_name": "KIM, Sang Man",
            "matched_alias": False, "programs": "DPRK3", "score": 100.0, "list": "OFAC SDN",
            "ofac_record": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=91001",
            "note": "A possible match, not an identity: a human must confirm or dismiss it.",
        }

    def test_it_names_the_alias_that_matched(self):
        flag = by_code(sanctions(snapshot(), FakeLookups(CHINYONG)))["sanctions.employer_match"]
        assert "as 'JINYONG IT COOPERATION COMPANY'" in flag.summary
        assert "score 96.4/100" in flag.summary
        assert flag.evidence["matched_alias"] is True
        assert flag.evidence["entry_name"].startswith("CHINYONG")

    def test_it_flags_a_wallet_hit(self):
        flag = by_code(sanctions(snapshot(), FakeLookups(WALLET)))["sanctions.wallet_match"]
        assert flag.summary == (f"Wallet {XBT} is listed by OFAC for KIM, Sang Man "
                                "(SDN #91001, DPRK3)")
        assert flag.evidence["matched_name"] == f"XBT {XBT}"

    def test_it_flags_each_hit(self):
        holder = SanctionsHit(91002, "CHINYONG", "CHINYONG", "DPRK3", 100.0, "holder", "x")
        flags = sanctions(snapshot(), FakeLookups(KIM, CHINYONG, WALLET, holder))
        assert [f.code for f in flags] == ["sanctions.name_match", "sanctions.employer_match",
                                           "sanctions.wallet_match", "sanctions.holder_match"]

    def test_every_code_is_critical_and_asks_a_human_to_confirm_or_dismiss(self):
        codes = [c for c in CATALOG if c.startswith("sanctions.")]
        assert sorted(codes) == ["sanctions.employer_match", "sanctions.holder_match",
                                 "sanctions.name_match", "sanctions.wallet_match"]
        for code in codes:
            spec = CATALOG[code]
            assert spec.severity == "critical" and spec.family == "sanctions"
            assert "confirm or dismiss" in spec.next_step

    def test_one_hit_alone_makes_the_level_critical(self):
        weights = default_weights()
        for hit in (KIM, CHINYONG, WALLET):
            scored = score_flags(sanctions(snapshot(), FakeLookups(hit)), weights)
            assert scored.level == "critical", hit.role
            assert scored.score >= weights.thresholds["critical"]


@pytest.fixture
def sdn_list(db):
    sanctions_intel.index_reset()
    sanctions_import(sdn_text=SDN_TEXT, alt_text=ALT_TEXT, source="test")
    yield
    sanctions_intel.index_reset()


def scored(api, payload) -> Candidate:
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    candidate_score(candidate_id=response.json()["id"])
    return Candidate.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
class TestThroughTheApi:
    def test_it_makes_a_listed_candidate_critical_with_the_evidence(self, api, sdn_list):
        candidate = scored(api, CandidatePayloadFactory(
            full_name="Sang-Man Kim",
            payment_accounts=[{"method": "crypto", "wallet_address": ETH.lower()}],
            employment_history=[{"employer": "Chinyong Informaton Technology Cooperation Co.",
                                 "title": "Developer", "start": "2019-01", "end": None}],
        ))
        assert candidate.risk_level == "critical"
        flags = {f["code"]: f for f in candidate.risk_flags}
        # The strongest counts in full, the others of the family with diminishing returns.
        assert flags["sanctions.wallet_match"]["points"] == 120
        name = flags["sanctions.name_match"]
        assert name["severity"] == "critical" and name["points"] > 0
        assert {k: name["evidence"][k] for k in ("ent_num", "entry_name", "score")} == {
            "ent_num": 91001, "entry_name": "KIM, Sang Man", "score": 100.0}
        assert "confirm or dismiss" in name["next_step"]
        employer = flags["sanctions.employer_match"]["evidence"]
        assert employer["ent_num"] == 91002 and 95 <= employer["score"] < 100
        wallet = flags["sanctions.wallet_match"]["evidence"]
        assert wallet["matched_name"] == f"ETH {ETH.lower()}"

    def test_it_leaves_an_honest_candidate_alone(self, api, sdn_list):
        candidate = scored(api, CandidatePayloadFactory(full_name="Min Ho Park"))
        assert not [f for f in candidate.risk_flags if f["code"].startswith("sanctions.")]
