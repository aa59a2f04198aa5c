"""The candidate page's verdict sentence and flag themes (review.verdict, review.themes)."""

import pytest

from review.themes import (
    IDENTITY_REUSE,
    NETWORK,
    PAYMENT,
    flag_views,
    theme_of,
    themes_group,
    top_reasons,
)
from review.verdict import VerdictInput, score_scale, verdict_compose
from signals.models import LevelThreshold
from signals.selectors import level_thresholds, level_thresholds_forget
from tests.review.factories import flag


def others(*ids):
    return [{"id": i, "external_id": f"app-{i}", "full_name": f"Person {i}"} for i in ids]


def ring_flags():
    return [
        flag("reuse.bank_account", points=45, evidence={
            "kind": "bank_account", "identifier": "IBAN …7690", "others": others(1, 2, 3)}),
        flag("shipping.shared_address", points=35, evidence={
            "shipping_address": "798 S Congress Ave., Hillsboro, 97124, US",
            "others": others(2, 3, 4)}),
        flag("resume.near_duplicate", points=25, evidence={"others": others(5, 6)}),
        {"code": "combo.laptop_farm_ring", "title": "Combination", "severity": "high",
         "points": 30, "summary": "…", "evidence": {"together": []}},
        flag("payment.payout_service", points=5),
        flag("phone.line_type_unknown", points=0),
    ]


class TestVerdict:
    def test_it_names_what_a_ring_shares_and_counts_the_applicants(self):
        levels = {1: "critical", 2: "critical", 3: "high", 4: "critical", 5: "critical",
                  6: "low"}
        text = verdict_compose(VerdictInput(flags=ring_flags(), levels=levels,
                                            shipping_city="Hillsboro"))
        assert text == ("Shares IBAN …7690, a Hillsboro shipping address and a resume "
                        "template with 6 applicants, 4 of them critical.")

    def test_it_adds_the_other_strong_signals_and_stops_at_three_clauses(self):
        flags = ring_flags() + [flag("payment.holder_mismatch", points=25),
                                flag("network.astrill", points=35),
                                flag("phone.voip", points=12)]
        text = verdict_compose(VerdictInput(flags=flags))
        assert text == ("Shares IBAN …7690, a shipping address and a resume template with 6 "
                        "applicants; connects through Astrill VPN; pay goes to an account in "
                        "someone else's name.")

    def test_sanctions_and_known_bad_lead(self):
        flags = [flag("reuse.phone", points=35, evidence={"others": others(9)}),
                 flag("known_bad.identifier", points=80, evidence={"others": others(9)}),
                 flag("known_bad.identifier", points=80, evidence={"others": others(9)}),
                 flag("sanctions.name_match", points=100)]
        text = verdict_compose(VerdictInput(flags=flags, levels={9: "critical"}))
        assert text == ("Name matches a person on the OFAC sanctions list; uses an identifier "
                        "of Person 9, rejected as fraud; shares a phone number with another "
                        "applicant, who is critical.")

    def test_a_known_bad_identifier_is_said_once(self):
        flags = [flag("known_bad.identifier", points=80, evidence={"others": others(9)}),
                 flag("reuse.phone", points=35, evidence={"others": others(9)})]
        assert verdict_compose(VerdictInput(flags=flags)) == (
            "Uses an identifier of Person 9, rejected as fraud; shares a phone number with "
            "another applicant.")

    def test_a_clean_candidate_says_so(self):
        assert verdict_compose(VerdictInput(flags=[])) == (
            "No red flags: nothing in this application matched a check.")
        notes_only = [flag("phone.line_type_unknown", points=0)]
        assert verdict_compose(VerdictInput(flags=notes_only)).startswith("No red flags")
        weak = [flag("payment.payout_service"), flag("reuse.ip", evidence={"others": others(1)})]
        assert verdict_compose(VerdictInput(flags=weak)) == (
            "No strong signals: only 2 weak ones, which mean little alone.")

    def test_moderate_signals_alone_say_they_are_moderate(self):
        text = verdict_compose(VerdictInput(flags=[flag("network.country_mismatch")]))
        assert text == "One moderate signal: connects from another country than claimed."
        two = [flag("network.vpn"), flag("phone.voip", points=10)]
        assert verdict_compose(VerdictInput(flags=two)) == (
            "Only moderate signals: connects through a commercial VPN.")

    def test_an_unscored_candidate_has_no_verdict_yet(self):
        assert verdict_compose(VerdictInput(flags=[], scored=False)).startswith("Not scored")

    def test_an_unknown_code_falls_back_to_its_title(self):
        odd = {"code": "new.check", "title": "Something new", "severity": "high",
               "points": 30, "evidence": {}}
        assert verdict_compose(VerdictInput(flags=[odd])) == "Something new."


class TestThemes:
    def test_codes_map_by_prefix_and_combinations_by_name(self):
        assert theme_of("reuse.bank_account") == IDENTITY_REUSE
        assert theme_of("combo.laptop_farm_ring") == NETWORK
        assert theme_of("combo.paid_abroad_to_someone_else") == PAYMENT
        assert theme_of("brand.new") == "Other signals"

    def test_strength_is_worded_never_a_level(self):
        views = {v.code: v for v in flag_views(ring_flags(), is_admin=False)}
        assert views["reuse.bank_account"].strength_label == "strong signal"
        assert views["resume.near_duplicate"].strength_label == "moderate signal"
        assert views["payment.payout_service"].strength_label == "weak signal"
        assert views["payment.payout_service"].folded and views["phone.line_type_unknown"].folded

    def test_recruiters_never_see_the_operator_note(self):
        note = [flag("phone.line_type_unknown", points=0)]
        recruiter = flag_views(note, is_admin=False)[0]
        assert recruiter.title == "Line type not checked"
        assert "TWILIO" not in recruiter.summary + recruiter.next_step + recruiter.title
        assert not recruiter.operator_note
        admin = flag_views(note, is_admin=True)[0]
        assert "TWILIO_ACCOUNT_SID" in admin.operator_note

    def test_themes_strongest_first_and_top_reasons_skip_combinations(self):
        views = flag_views(ring_flags(), is_admin=False)
        themes = themes_group(views)
        assert [t.name for t in themes][:2] == [NETWORK, IDENTITY_REUSE]
        assert [v.code for v in top_reasons(views)] == [
            "reuse.bank_account", "shipping.shared_address", "resume.near_duplicate"]


def test_the_score_scale_names_where_the_level_and_the_next_one_start():
    thresholds = {"medium": 25, "high": 45, "critical": 80}
    assert score_scale("critical", thresholds) == "critical from 80"
    assert score_scale("high", thresholds) == "high from 45 · critical from 80"
    assert score_scale("medium", thresholds) == "medium from 25 · high from 45"
    assert score_scale("low", thresholds) == "medium from 25"


@pytest.mark.django_db
def test_the_thresholds_are_the_live_ones_and_a_change_is_seen():
    assert level_thresholds()["critical"] == 80
    LevelThreshold.objects.update_or_create(level="critical", defaults={"min_score": 90})
    assert level_thresholds()["critical"] == 80  # cached
    level_thresholds_forget()
    assert level_thresholds()["critical"] == 90
