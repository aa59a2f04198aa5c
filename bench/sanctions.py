"""Sanctions screening at the size of the full OFAC SDN list.

What it measures:

  import   `sanctions_import` of a generated SDN.CSV + ALT.CSV the size of the real list
           (about 18,000 entries, every programme kept): parsing and inserting, then again
           replacing the list in place (the daily refresh), each in one transaction;
  index    building the in-memory matching index from the stored names (what each worker
           does once, and after each import);
  screen   the `sanctions` check for one candidate: the name, one payment holder, two
           employers and one wallet screened against every entry and alias, over
           --candidates candidates (most matching nothing, a few planted hits).

The files are generated, not downloaded: SDN.CSV in OFAC's format (no header, `-0- ` for
empty fields, "LAST, First" individuals, programme lists, digital currency addresses in the
remarks, \\x1a at the end), with about 30% individuals, most with aliases in ALT.CSV, and
name shapes from several languages (Korean, Chinese, Russian with patronymics, Arabic,
Persian, Spanish, English) so that the word vocabulary and the near-misses look like the
real list's. The candidates are drawn from the same name pools, so most of them share words
with some entries: the matcher does real work on them.

Set-up it does on its own: drops and creates a PostgreSQL database (vetting_bench_sanctions),
migrates it, and drops it at the end unless --keep. Run it from the project root
(PostgreSQL on 127.0.0.1, as for the tests):

    .venv/bin/python bench/sanctions.py                    # 18,000 entries, 1,000 candidates
    .venv/bin/python bench/sanctions.py --entries 5000 --candidates 200 --keep
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "vetting_bench_sanctions"
DPRK_PROGRAMS = ["DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"]
OTHER_PROGRAMS = ["SDGT", "SDNTK", "IRAN", "IRGC", "RUSSIA-EO14024", "UKRAINE-EO13662",
                  "CYBER2", "VENEZUELA-EO13850", "SYRIA", "GLOMAG", "ILLICIT-DRUGS-EO14059",
                  "NPWMD", "IFSR", "BALKANS", "CUBA"]


# --- Name pools ------------------------------------------------------------------------------

KOREAN_SURNAMES = ["KIM", "RI", "PAK", "CHOE", "JONG", "KANG", "JO", "YUN", "JANG", "RIM",
                   "HAN", "O", "SO", "SIN", "KWON", "HWANG", "AN", "SONG", "RYU", "HONG"]
KOREAN_SYLLABLES = ["Min", "Jun", "Song", "Il", "Chol", "Hyok", "Hyon", "Nam", "Kwang",
                    "Myong", "Su", "Hwa", "Ho", "Sang", "Man", "Ok", "Yong", "Chun", "Gil",
                    "Hak", "Jin", "Un", "Sop", "Ryong", "Guk", "Bok", "Hui", "Sik", "Chang"]
CHINESE_SURNAMES = ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU",
                    "ZHOU", "XU", "SUN", "MA", "ZHU", "HU", "GUO", "HE", "LIN", "GAO", "LUO"]
CHINESE_SYLLABLES = ["wei", "fang", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong",
                     "jie", "tao", "ming", "chao", "xiu", "ying", "hua", "ping", "gang", "hong",
                     "xiao", "jian", "guo", "hai", "yan", "zhi", "wen", "bin", "dong", "feng",
                     "hui", "kai", "lan", "mei", "ning", "peng", "rui", "shan", "tian", "xin"]
RUSSIAN_FIRST = ["Aleksandr", "Sergey", "Dmitriy", "Andrey", "Aleksey", "Vladimir", "Igor",
                 "Nikolay", "Oleg", "Pavel", "Yuriy", "Viktor", "Mikhail", "Ivan", "Vitaliy",
                 "Roman", "Denis", "Maksim", "Artem", "Konstantin"]
RUSSIAN_SURNAMES = ["IVANOV", "PETROV", "SMIRNOV", "KUZNETSOV", "POPOV", "VOLKOV", "SOKOLOV",
                    "LEBEDEV", "KOZLOV", "NOVIKOV", "MOROZOV", "ANDREYEV", "ORLOV", "ZAYTSEV",
                    "FEDOROV", "MIKHAILOV", "BELOV", "TARASOV", "GUSEV", "ROMANOV", "BOGDANOV",
                    "VOROBYEV", "FROLOV", "KOVALEV", "ILYIN", "GERASIMOV", "MARKOV", "NIKITIN",
                    "ZAKHAROV", "ZUYEV", "SOROKIN", "KISELEV", "MAKAROV", "STEPANOV", "YAKOVLEV",
                    "GRIGORYEV", "KALININ", "PAVLOV", "SEMENOV", "VINOGRADOV"]
ARABIC_FIRST = ["Mohammed", "Ahmad", "Ali", "Hassan", "Hussein", "Omar", "Khalid", "Yusuf",
                "Ibrahim", "Abdullah", "Mahmoud", "Salim", "Tariq", "Karim", "Nasser",
                "Hamza", "Bilal", "Faisal", "Walid", "Ziad"]
ARABIC_FAMILY = ["AL-RASHID", "AL-HASHIMI", "HADDAD", "NASSER", "KHALIL", "MANSOUR", "SALEH",
                 "AL-ZUBAIDI", "QASIM", "HAMDAN", "AL-TIKRITI", "SHARIF", "AL-MASRI",
                 "BARAKAT", "DARWISH", "AL-ANSARI", "JABER", "SAID", "AZIZ", "HAMMOUD",
                 "AL-QAHTANI", "AL-DOSARI", "BAKR", "HIJAZI", "KHOURY", "MOUSA", "NAJJAR",
                 "OTHMAN", "RAHMAN", "SHAMMARI", "SULEIMAN", "TAHA", "YASIN", "ZAYED",
                 "AL-AHMAD", "AL-OBEIDI", "FARAJ", "GHANEM", "HALABI", "ISSA"]
PERSIAN_FIRST = ["Reza", "Ali", "Hossein", "Mehdi", "Hamid", "Majid", "Saeed", "Mohsen",
                 "Javad", "Amir", "Behzad", "Farhad"]
PERSIAN_SURNAMES = ["HOSSEINI", "MOHAMMADI", "REZAEI", "AHMADI", "KARIMI", "RAHIMI",
                    "MOUSAVI", "JAFARI", "SADEGHI", "NOURI", "GHASEMI", "TEHRANI"]
SPANISH_FIRST = ["José", "Juan", "Carlos", "Luis", "Miguel", "Jorge", "Pedro", "Rafael",
                 "Fernando", "Alejandro", "María", "Ana"]
SPANISH_SURNAMES = ["GARCÍA", "RODRÍGUEZ", "MARTÍNEZ", "HERNÁNDEZ", "LÓPEZ", "GONZÁLEZ",
                    "PÉREZ", "SÁNCHEZ", "RAMÍREZ", "TORRES", "FLORES", "RIVERA", "GÓMEZ",
                    "DÍAZ", "REYES", "MORALES", "ORTIZ", "CASTRO"]
ENGLISH_FIRST = ["John", "Michael", "David", "James", "Robert", "William", "Richard",
                 "Thomas", "Daniel", "Paul", "Mark", "Steven", "Emily", "Sarah", "Jessica",
                 "Ashley", "Megan", "Rachel", "Laura", "Hannah", "Kevin", "Brian", "Jason",
                 "Ryan", "Eric", "Adam", "Nathan", "Tyler", "Olivia", "Grace"]
ENGLISH_SURNAMES = ["SMITH", "JOHNSON", "BROWN", "TAYLOR", "MILLER", "WILSON", "DAVIS",
                    "CLARK", "LEWIS", "WALKER", "HALL", "YOUNG", "ANDERSON", "THOMAS",
                    "JACKSON", "WHITE", "HARRIS", "MARTIN", "THOMPSON", "MOORE", "ALLEN",
                    "KING", "WRIGHT", "SCOTT", "GREEN", "BAKER", "ADAMS", "NELSON", "HILL",
                    "CAMPBELL", "MITCHELL", "ROBERTS", "CARTER", "PHILLIPS", "EVANS", "TURNER"]
# Applicants' names the list does not draw from (the list has few Indian or Vietnamese
# entries): most candidates share no word with any entry.
INDIAN_FIRST = ["Rahul", "Priya", "Amit", "Sneha", "Vikram", "Anjali", "Arjun", "Deepak",
                "Kavya", "Rohan", "Sanjay", "Pooja", "Nikhil", "Aditi", "Karthik", "Meera"]
INDIAN_SURNAMES = ["SHARMA", "PATEL", "IYER", "REDDY", "NAIR", "GUPTA", "KUMAR", "SINGH",
                   "MEHTA", "RAO", "JOSHI", "DESAI", "KULKARNI", "MENON", "PILLAI", "BOSE"]
VIETNAMESE_SURNAMES = ["NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "VU", "DANG", "BUI", "DO"]
VIETNAMESE_GIVEN = ["Van Anh", "Thi Mai", "Minh Tuan", "Duc Huy", "Thanh Ha", "Quoc Bao",
                    "Ngoc Lan", "Hoang Nam", "Thu Trang", "Gia Huy"]

PLACES = ["KOREA", "PYONGYANG", "DANDONG", "SHENYANG", "YANBIAN", "DUBAI", "TEHRAN", "MOSCOW",
          "HONG KONG", "CARACAS", "DAMASCUS", "BEIRUT", "ISTANBUL", "SINGAPORE",
          "VLADIVOSTOK", "VIENTIANE", "MINSK", "SHARJAH", "ALMATY", "KABUL"]
SECTORS = ["TRADING", "SHIPPING", "TECHNOLOGY", "INVESTMENT", "INDUSTRIAL", "BANK",
           "PETROLEUM", "GENERAL TRADING", "ELECTRONICS", "CONSTRUCTION", "LOGISTICS",
           "HOLDING", "NETWORK TECHNOLOGY", "INFORMATION TECHNOLOGY COOPERATION", "MINING",
           "EXCHANGE", "MARINE", "AVIATION", "PHARMACEUTICAL", "METALS"]
FORMS = ["CO., LTD.", "LLC", "FZE", "JSC", "COMPANY", "CORPORATION", "OOO", "S.A.",
         "GMBH", "LIMITED", "", "COMPANY LIMITED", "PTE. LTD."]
CONSONANTS = "bdghjklmnprstvwyz"
VOWELS = "aeiou"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def coined_word(rng: random.Random) -> str:
    """A pronounceable made-up word (SOBAEKSU, KWANGSON...): company names' distinctive part."""
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS)
                   for _ in range(rng.randint(3, 4))).upper()


LIST_CULTURES = {"ko": 20, "zh": 15, "ru": 20, "ar": 20, "fa": 10, "es": 10, "en": 5}
APPLICANT_CULTURES = {"en": 30, "in": 20, "es": 10, "vi": 5, "ko": 8, "zh": 10, "ru": 7,
                      "ar": 7, "fa": 3}


def person(rng: random.Random, cultures: dict[str, int] = LIST_CULTURES) -> tuple[str, str]:
    """(SDN-style "LAST, First Middle", a natural "First Middle Last") of one culture."""
    culture = rng.choices(list(cultures), weights=list(cultures.values()))[0]
    if culture == "ko":
        last = rng.choice(KOREAN_SURNAMES)
        given = f"{rng.choice(KOREAN_SYLLABLES)} {rng.choice(KOREAN_SYLLABLES)}"
    elif culture == "zh":
        syllables = rng.choices(CHINESE_SYLLABLES, k=rng.choice([1, 2, 2, 2]))
        last, given = rng.choice(CHINESE_SURNAMES), "".join(syllables).capitalize()
    elif culture == "in":
        last, given = rng.choice(INDIAN_SURNAMES), rng.choice(INDIAN_FIRST)
    elif culture == "vi":
        last, given = rng.choice(VIETNAMESE_SURNAMES), rng.choice(VIETNAMESE_GIVEN)
    elif culture == "ru":
        last = rng.choice(RUSSIAN_SURNAMES)
        father = rng.choice(RUSSIAN_FIRST)
        patronymic = father[:-1] + "yevich" if father.endswith("y") else father + "ovich"
        given = f"{rng.choice(RUSSIAN_FIRST)} {patronymic}"
    elif culture == "ar":
        last = rng.choice(ARABIC_FAMILY)
        given = f"{rng.choice(ARABIC_FIRST)} {rng.choice(ARABIC_FIRST)}"
    elif culture == "fa":
        last = rng.choice(PERSIAN_SURNAMES)
        given = " ".join(rng.sample(PERSIAN_FIRST, k=rng.choice([1, 2])))
    elif culture == "es":
        last = f"{rng.choice(SPANISH_SURNAMES)} {rng.choice(SPANISH_SURNAMES)}"
        given = " ".join(rng.sample(SPANISH_FIRST, k=rng.choice([1, 2])))
    else:
        last = rng.choice(ENGLISH_SURNAMES)
        given = " ".join(rng.sample(ENGLISH_FIRST, k=rng.choice([1, 2])))
    return f"{last}, {given}", f"{given} {last.title()}"


def entity(rng: random.Random) -> str:
    parts = [rng.choice(PLACES)] if rng.random() < 0.5 else []
    parts += [coined_word(rng), rng.choice(SECTORS), rng.choice(FORMS)]
    return " ".join(p for p in parts if p)


def wallet(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "XBT", "1" + "".join(rng.choice(BASE58) for _ in range(33))
    return "ETH", "0x" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(40))


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


# --- The files -------------------------------------------------------------------------------

def sdn_generate(count: int, rng: random.Random) -> tuple[bytes, bytes, dict]:
    """SDN.CSV and ALT.CSV bytes, and what was planted for the screening (listed people,
    companies and wallets) to draw hits from."""
    null = quoted("-0- ")
    sdn_lines, alt_lines = [], []
    planted = {"people": [], "companies": [], "wallets": []}
    alt_num = 1
    for n in range(count):
        ent_num = 10_000 + n
        kind = rng.choices(["individual", "entity", "vessel", "aircraft"],
                           weights=[30, 64, 5, 1])[0]
        programs = rng.sample(DPRK_PROGRAMS if rng.random() < 0.06 else OTHER_PROGRAMS,
                              k=rng.choice([1, 1, 1, 2]))
        remarks = []
        aliases = []
        if kind == "individual":
            name, natural = person(rng)
            remarks.append(f"DOB {rng.randint(1950, 2000)}; Gender "
                           f"{rng.choice(['Male', 'Female'])}")
            # Most individuals have aliases: other spellings, or another name altogether.
            for _ in range(rng.choices([0, 1, 2, 3], weights=[25, 40, 25, 10])[0]):
                aliases.append(person(rng)[0] if rng.random() < 0.4
                               else name.replace("o", "ou", 1).replace("i", "y", 1))
            planted["people"].append(natural)
        elif kind == "entity":
            name = entity(rng)
            for _ in range(rng.choices([0, 1, 2], weights=[50, 35, 15])[0]):
                aliases.append(entity(rng))
            planted["companies"].append(name)
        else:
            name = coined_word(rng) + f" {rng.randint(1, 9)}"
        if rng.random() < 0.02:
            currency, address = wallet(rng)
            remarks.append(f"Digital Currency Address - {currency} {address}")
            planted["wallets"].append(address)
        sdn_type = quoted(kind) if kind != "entity" else null
        row = [str(ent_num), quoted(name), sdn_type, quoted("] [".join(programs))]
        row += [null] * 7 + [quoted("; ".join(remarks) + "." if remarks else "-0- ")]
        sdn_lines.append(",".join(row))
        for alias in dict.fromkeys(a for a in aliases if a != name):
            alt_lines.append(",".join([str(ent_num), str(alt_num), quoted("aka"),
                                       quoted(alias), null]))
            alt_num += 1
    return as_published(sdn_lines), as_published(alt_lines), planted


def as_published(lines: list[str]) -> bytes:
    """CRLF line ends, Windows-1252, and the DOS end-of-file byte on the last line."""
    return ("\r\n".join(lines) + "\r\n\x1a").encode("cp1252")


# --- The candidates --------------------------------------------------------------------------

def candidates_generate(count: int, planted: dict, rng: random.Random):
    """Candidates as the check sees them: name, one payment holder (someone else), two
    employers and a wallet. One in 50 has a listed name (words reordered), one in 100 a
    listed employer, one in 100 a listed wallet. The others' names come partly from the
    list's pools (sharing words with entries; some are homonyms of listed people, which a
    name screener rightly reports) and partly from pools the list does not use."""
    from signals.engine import CandidateSnapshot, EmploymentSnap, PaymentSnap

    mundane = ["Initech", "Globex Corporation", "Acme Software LLC", "Umbrella Digital",
               "Freelance", "Self-employed", "Upwork", "Toptal", "Hooli", "Stark Industries"]
    snapshots, planted_hits = [], 0
    for n in range(count):
        name = person(rng, APPLICANT_CULTURES)[1]
        employers = [rng.choice(mundane), entity(rng).title()]
        address = wallet(rng)[1]
        if n % 50 == 0:
            words = rng.choice(planted["people"]).split()
            name = " ".join(words[-1:] + words[:-1])  # surname first
            planted_hits += 1
        if n % 100 == 1:
            employers[1] = rng.choice(planted["companies"]).title()
            planted_hits += 1
        if n % 100 == 2 and planted["wallets"]:
            address = rng.choice(planted["wallets"])
            planted_hits += 1
        snapshots.append(CandidateSnapshot(
            id=n + 1, full_name=name,
            payments=(PaymentSnap("crypto", holder_name=person(rng, APPLICANT_CULTURES)[1],
                                  wallet_address=address),),
            employments=tuple(EmploymentSnap(e) for e in employers),
        ))
    return snapshots, planted_hits


# --- Set-up ----------------------------------------------------------------------------------

def bench_env() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "vetting.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-not-for-prod",
        "FINGERPRINT_KEY": "bench-fingerprint-key-not-for-production",
        "WEBHOOK_SECRET_KEY": "bench-webhook-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def database_sql(statements: list[str]) -> None:
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=18_000)
    parser.add_argument("--candidates", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    database_sql([f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)',
                  f'CREATE DATABASE "{DB_NAME}"'])
    os.environ.update(bench_env())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", interactive=False, verbosity=0)
        from intel import sanctions
        from signals.checks.sanctions import sanctions as sanctions_check
        from signals.lookups import DbLookups

        started = time.perf_counter()
        sdn_bytes, alt_bytes, planted = sdn_generate(args.entries, rng)
        generate_seconds = time.perf_counter() - started

        def import_list():
            started = time.perf_counter()
            result = sanctions.sanctions_import(
                sdn_text=sanctions.text_decode(sdn_bytes),
                alt_text=sanctions.text_decode(alt_bytes),
                source="bench (generated)", all_programs=True, actor="bench",
            )
            return result, time.perf_counter() - started

        result, import_seconds = import_list()
        # The daily refresh: the same size of list replacing the one in place.
        _, reimport_seconds = import_list()

        sanctions.index_reset()
        started = time.perf_counter()
        index = sanctions.sanctions_index()
        index_seconds = time.perf_counter() - started

        snapshots, planted_hits = candidates_generate(args.candidates, planted, rng)
        timings, flagged, flags = [], 0, []
        for snapshot in snapshots:
            lookups = DbLookups(snapshot)
            started = time.perf_counter()
            found = sanctions_check(snapshot, lookups)
            timings.append((time.perf_counter() - started) * 1000)
            flagged += bool(found)
            flags += found
    finally:
        connections.close_all()
        if not args.keep:
            database_sql([f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'])

    rows = [
        ("SDN.CSV generated", (f"{result.entry_count:,} entries, {len(sdn_bytes) / 1e6:.1f} "
                               f"MB ({generate_seconds:.1f} s to generate)")),
        ("ALT.CSV generated", (f"{result.alias_count:,} aliases kept, "
                               f"{len(alt_bytes) / 1e6:.1f} MB")),
        ("wallet addresses", f"{result.wallet_count:,}"),
        ("import (parse + insert)", f"{import_seconds:.2f} s into an empty database"),
        ("re-import (replace)", f"{reimport_seconds:.2f} s, one transaction"),
        ("index build (per worker)", f"{index_seconds:.2f} s, {index.name_count:,} names"),
        ("candidates screened", (f"{len(timings):,} (name + 1 holder + 2 employers + "
                                 f"1 wallet each)")),
        ("candidates flagged", (f"{flagged}: {planted_hits} planted hits, the others "
                                f"namesakes of listed people")),
        ("flags", (f"{len(flags)}, {sum(f.evidence['score'] < 100 for f in flags)} of them "
                   f"below score 100 (not spelt exactly alike)")),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"\nSanctions screening benchmark (seed {args.seed})")
    print("-" * (width + 60))
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"\n{'sanctions check':<{width}}  {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'cand/s':>8}")
    print(f"{'per candidate':<{width}}  {percentile(timings, 50):8.2f} "
          f"{percentile(timings, 95):8.2f} {percentile(timings, 99):8.2f} {max(timings):8.2f} "
          f"{len(timings) / (sum(timings) / 1000):8,.0f}")
    print("\nOne process, one core; the index built beforehand, as a worker holds it.")


if __name__ == "__main__":
    main()
