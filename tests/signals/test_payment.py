"""payment: where the pay would go: abroad, through payout services, in crypto, to others."""

import pytest

from signals.checks.payment import names_match, payment
from signals.engine import CandidateSnapshot, Lookups, PaymentSnap, run_checks
from tests.factories import CandidatePayloadFactory
from tests.signals.helpers import scored_flags

US_BANK = PaymentSnap("bank", bank_country="US", holder_name="Dana Whitfield", last4="6789")
DE_BANK = PaymentSnap("bank", bank_country="DE", iban_country="DE",
                      holder_name="Dana Whitfield", last4="3000")
BE_WISE = PaymentSnap("wise", bank_country="BE", iban_country="BE",
                      holder_name="WHITFIELD DANA", last4="7034")
WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"


def snapshot(*payments, **fields) -> CandidateSnapshot:
    return CandidateSnapshot(**({"id": 1, "full_name": "Dana Whitfield",
                                 "location_country": "US", "payments": payments} | fields))


def flags_for(*payments, **fields):
    return payment(snapshot(*payments, **fields), Lookups())


def by_code(flags) -> dict:
    found = {}
    for flag in flags:
        found.setdefault(flag.code, []).append(flag)
    return found


class TestBankCountryMismatch:
    def test_it_flags_a_bank_account_abroad(self):
        [flag] = by_code(flags_for(DE_BANK))["payment.bank_country_mismatch"]
        assert flag.multiplier == 1.0
        assert flag.summary == ("Pay would go to Bank IBAN …3000 in Germany (DE), but the "
                                "candidate says they live in United States (US)")
        assert flag.evidence == {"bank_country": "DE", "location_country": "US",
                                 "accounts": ["Bank IBAN …3000"]}

    @pytest.mark.parametrize("method", ["wise", "payoneer", "paypal"])
    def test_it_weighs_payout_services_abroad_at_half(self, method):
        account = PaymentSnap(method, bank_country="GB", holder_name="Dana Whitfield")
        [flag] = by_code(flags_for(account))["payment.bank_country_mismatch"]
        assert flag.multiplier == 0.5
        assert flag.evidence["note"] == "payout service"

    def test_it_takes_the_country_from_the_iban_first(self):
        account = PaymentSnap("bank", bank_country="US", iban_country="LT", last4="1234")
        [flag] = by_code(flags_for(account))["payment.bank_country_mismatch"]
        assert flag.evidence["bank_country"] == "LT"

    def test_it_raises_one_flag_per_country_at_the_strongest_weight(self):
        flags = by_code(flags_for(BE_WISE, PaymentSnap("bank", iban_country="BE", last4="1111")))
        [flag] = flags["payment.bank_country_mismatch"]
        assert flag.multiplier == 1.0
        assert flag.evidence["accounts"] == ["Wise IBAN …7034", "Bank IBAN …1111"]

    def test_it_needs_both_countries(self):
        flags = flags_for(DE_BANK, location_country="")
        assert "payment.bank_country_mismatch" not in by_code(flags)
        assert flags_for(PaymentSnap("bank", holder_name="Dana Whitfield")) == []

    def test_it_raises_nothing_for_a_bank_at_home(self):
        assert flags_for(US_BANK) == []


class TestPayoutService:
    def test_it_notes_a_payout_service(self):
        [flag] = by_code(flags_for(PaymentSnap("payoneer", bank_country="US")))[
            "payment.payout_service"
        ]
        assert flag.summary == "Paid through Payoneer"
        assert flag.spec.severity == "low"

    def test_it_raises_one_flag_for_several_services(self):
        flags = flags_for(PaymentSnap("wise"), PaymentSnap("PayPal"), PaymentSnap("wise"))
        [flag] = by_code(flags)["payment.payout_service"]
        assert flag.evidence == {"services": ["PayPal", "Wise"]}


class TestCrypto:
    def test_it_flags_a_crypto_payout(self):
        [flag] = flags_for(PaymentSnap("crypto"))
        assert (flag.code, flag.summary) == ("payment.crypto", "Asks to be paid in cryptocurrency")

    def test_it_flags_a_wallet_on_any_method(self):
        [flag] = flags_for(PaymentSnap("other", wallet_address=WALLET))
        assert flag.code == "payment.crypto"
        assert flag.evidence == {"wallets": [WALLET]}
        assert WALLET in flag.summary


class TestHolderMismatch:
    @pytest.mark.parametrize("holder", [
        "Dana Whitfield", "D. Whitfield", "Whitfield Dana", "DANA WHITFIELD", "Whitfield, D.",
        "Dr. Dana M. Whitfield", "Dana Whitfeld", "DanaWhitfield", "dana   whitfield ",
    ])
    def test_it_accepts_spellings_of_the_candidates_name(self, holder):
        assert flags_for(PaymentSnap("bank", bank_country="US", holder_name=holder)) == []

    @pytest.mark.parametrize("candidate, holder", [
        ("José Núñez", "Jose Nunez"), ("Jose Nunez", "JOSÉ NÚÑEZ"),
        ("José Luis Núñez García", "Jose Nunez"), ("Sergey Ivanov", "Sergei Ivanov"),
        ("Zoë O'Brien-Smith", "Zoe OBrien Smith"),
    ])
    def test_it_folds_accents_and_tolerates_left_out_words(self, candidate, holder):
        assert names_match(candidate, holder)
        assert flags_for(PaymentSnap("bank", holder_name=holder), full_name=candidate) == []

    @pytest.mark.parametrize("holder", [
        "Kim Song Il", "John Whitfield", "Acme Consulting LLC", "Dana Parker", "D. W.",
    ])
    def test_it_flags_someone_else_holding_the_account(self, holder):
        [flag] = flags_for(PaymentSnap("bank", bank_country="US", holder_name=holder, last4="6789"))
        assert flag.code == "payment.holder_mismatch"
        assert flag.summary == f"Bank …6789 is held by {holder}, not by Dana Whitfield"
        assert flag.evidence == {"holder_name": holder, "candidate_name": "Dana Whitfield",
                                 "account": "Bank …6789"}

    def test_it_flags_one_holder_once(self):
        flags = flags_for(PaymentSnap("bank", holder_name="Kim Song"),
                      PaymentSnap("wise", holder_name="KIM SONG"))
        assert len(by_code(flags)["payment.holder_mismatch"]) == 1

    def test_it_needs_both_names(self):
        assert flags_for(PaymentSnap("bank", holder_name="  ")) == []
        assert flags_for(PaymentSnap("bank", holder_name="Kim Song"), full_name="") == []


class TestMultiCountryAccounts:
    def test_it_flags_bank_accounts_in_two_countries(self):
        [flag] = by_code(flags_for(US_BANK, DE_BANK))["payment.multi_country_accounts"]
        assert flag.multiplier == 1.0
        assert flag.summary == "Payout accounts in 2 countries: DE, US"
        assert flag.evidence == {"countries": ["DE", "US"],
                                 "accounts": ["Bank …6789", "Bank IBAN …3000"]}

    def test_it_weighs_three_countries_more(self):
        lt = PaymentSnap("bank", iban_country="LT", holder_name="Dana Whitfield")
        [flag] = by_code(flags_for(US_BANK, DE_BANK, lt))["payment.multi_country_accounts"]
        assert flag.multiplier == 1.3

    def test_it_weighs_a_home_bank_plus_a_payout_service_abroad_at_half(self):
        [flag] = by_code(flags_for(US_BANK, BE_WISE))["payment.multi_country_accounts"]
        assert flag.multiplier == 0.5

    def test_it_raises_nothing_for_accounts_in_one_country(self):
        assert flags_for(US_BANK, PaymentSnap("bank", bank_country="us")) == []


class TestPaymentLookAlikes:
    def test_it_only_notes_a_freelancer_paid_through_wise_in_their_own_name(self):
        flags = by_code(flags_for(BE_WISE))
        assert set(flags) == {"payment.payout_service", "payment.bank_country_mismatch"}
        assert flags["payment.bank_country_mismatch"][0].multiplier == 0.5

    def test_it_only_notes_wise_at_home(self):
        flags = flags_for(PaymentSnap("wise", bank_country="US", holder_name="D. Whitfield"))
        assert [f.code for f in flags] == ["payment.payout_service"]


class TestPaymentBadData:
    def test_it_returns_nothing_for_an_empty_snapshot(self):
        assert payment(CandidateSnapshot(id=1, full_name=""), Lookups()) == []

    def test_it_returns_nothing_for_an_empty_account(self):
        assert flags_for(PaymentSnap("")) == []

    def test_it_survives_none_values(self):
        odd = PaymentSnap(None, bank_country=None, iban_country=None, holder_name=None,
                          wallet_address=None, last4=None)
        assert payment(CandidateSnapshot(id=1, full_name=None, location_country=None,
                                         payments=(odd, None)), Lookups()) == []

    def test_it_survives_an_unknown_country_code(self):
        [flag] = flags_for(PaymentSnap("bank", bank_country="ZZ", holder_name="Dana Whitfield"))
        assert "in ZZ," in flag.summary

    def test_it_never_fails_in_the_engine(self):
        odd = snapshot(PaymentSnap("crypto", holder_name="???"), PaymentSnap("bank", "X"),
                       full_name="!!", location_country="usa")
        results = run_checks(odd, Lookups(), {"payment": payment})
        assert results.failed == []


def applicant(name: str, accounts: list[dict], **overrides) -> dict:
    return CandidatePayloadFactory(full_name=name, payment_accounts=accounts, **overrides)


@pytest.mark.django_db
class TestPaymentScoring:
    def test_it_only_notes_a_freelancer_paid_through_wise(self, api):
        flags = scored_flags(api, applicant("Dana Whitfield", [
            {"method": "wise", "iban": "BE68 5390 0754 7034", "holder_name": "WHITFIELD DANA"},
        ]))
        assert {c for c in flags if c.startswith("payment.")} == {
            "payment.payout_service", "payment.bank_country_mismatch",
        }
        mismatch = flags["payment.bank_country_mismatch"]
        assert mismatch["points"] == 8  # 15 points at half weight
        assert mismatch["evidence"]["accounts"] == ["Wise IBAN …7034"]
        assert "BE68" not in repr(flags)

    def test_it_flags_pay_going_abroad_to_someone_else(self, api):
        flags = scored_flags(api, applicant("Dana Whitfield", [
            {"method": "bank", "account_number": "6222020200112233", "bank_country": "CN",
             "holder_name": "Li Wen"},
        ]))
        assert {"payment.holder_mismatch", "payment.bank_country_mismatch",
                "combo.paid_abroad_to_someone_else"} <= set(flags)
        assert flags["payment.holder_mismatch"]["evidence"]["holder_name"] == "Li Wen"
        assert "6222020200112233" not in repr(flags)

    def test_it_flags_a_crypto_payout(self, api):
        flags = scored_flags(api, applicant("Dana Whitfield", [
            {"method": "crypto", "wallet_address": WALLET},
        ]))
        assert flags["payment.crypto"]["evidence"] == {"wallets": [WALLET]}
