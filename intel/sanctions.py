"""Sanctions screening (THREATS J1, C1): the OFAC SDN list, its import, and the name matcher.

The list. OFAC publishes the SDN list as `SDN.CSV` (one row per entry, no header) and
`ALT.CSV` (aliases). We keep the entries of the North Korea programmes (any program tag
beginning with `DPRK`: DPRK, DPRK2, DPRK3, DPRK4, DPRK-NKSPEA), or every entry with
`all_programs`. An import replaces the whole list in one transaction, so screening sees the
old list or the new one, never half of each; a malformed file, or one without a single kept
entry (an HTML error page, a changed format), raises and leaves the old list in place.

Matching. Names are compared after folding (see `name_forms`): accents and special letters
(José, Łukasz, Øystein), Cyrillic (Виталий Андреев) and Hangul (정성화, romanised the way the
SDN list writes North Korean names) become plain lower-case Latin; punctuation and titles
go; the order of the words does not matter ("Sang Man Kim" is "KIM, Sang Man"); a Korean
given name may be written as one word or two ("Sangman", "Sang-man", "Sang Man"); South and
North Korean spellings are folded together (Lee/Yi/Ri, Park/Pak, Jeong/Jong, Seong/Song,
Yong/Ryong); and a Russian patronymic may be left out.

A hit is critical, so the matcher is built for precision, and every hit carries its score
for the human who confirms or dismisses it:

- People (candidate names, payment holders; SDN individuals): both names must have the same
  number of words, every word must pair with a word of the other name at `TOKEN_FLOOR` (90)
  or better (rapidfuzz `ratio`), and the length-weighted mean of the pairs must reach
  `PERSON_THRESHOLD` (90). The floor lets a letter added or dropped pass in a word of five
  letters or more (Andreyev/Andreev 93, Vitali/Vitaliy 92) but not in a shorter one
  (Ryan/Bryan, Adam/Adams: 89), nor a changed letter in a short word: that is what tells
  short Korean names apart. "Kim Sang Min" against "KIM, Sang Man" averages 90 as a whole,
  but Min/Man pair at 67. A word this matcher joined ("Sang Man" -> sangman) pairs only if
  each of its parts does, so "Kim Sangmin" is not a hit either. "Kim Min" is not "KIM, Min
  Ho" (a word missing), "Kim Chol Su" is not "KIM, Sang Man" (the surname only), "Ok Ryong"
  is not "Ryong Ok" (given names keep their order when the entry says which is the surname),
  and "Yuriy Denisovich Mikhailov" is not "MIKHAILOV, Yuriy Igorevich" (a patronymic may be
  missing on one side, not differ).
- Organisations (employers, payment holders; SDN entities): legal forms (Co., Ltd., LLC,
  Corporation...) are dropped; the names must have the same words at TOKEN_FLOOR, as for
  people (or be the same once spaces are removed: "Silver Star" / "SILVERSTAR"), and the
  sorted words compared as one string (rapidfuzz `token_sort_ratio`) must reach
  `ENTITY_THRESHOLD` (90): a typo in a long company name passes ("Chinyong Informaton
  Technology Cooperation Company": 99), a different company that shares generic words does
  not ("Korea Ocean Shipping" against "KOREA OSONG SHIPPING CO": 85; "Korea Osung Shipping":
  Osung/Osong 80). A company missing a word of its listed name is not matched ("Chinyong
  Information Technology Co." against the entry above): the distinctive word alone is not
  evidence enough for a critical flag.
- A one-word name matches only a one-word SDN name exactly, and only from
  `SINGLE_WORD_MIN_LENGTH` letters: "Kim" or "Ali" alone never hits.
- Vessels and aircraft are never matched against names.
- Wallets: exact. Addresses are case-sensitive (Bitcoin base58), except Ethereum-style `0x`
  hex addresses, whose case is only a checksum: those compare lower-cased.

Look-ups never touch the database: each process builds an in-memory index from the stored
names once (`NameIndex`: words to names, and a deletion index that finds similar words
without scanning), and rebuilds it when an import happened (the latest `SanctionsImport` id,
checked at most every `INDEX_REFRESH_SECONDS`; an import in this process drops the index at
once). bench/sanctions.py measures it at the full list's size.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import logging
import math
import re
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from rapidfuzz import fuzz, process

from core.audit import audit_data_import
from core.exceptions import ApplicationError
from intel.fetch import fetch_bytes
from intel.models import SanctionsEntry, SanctionsImport, SanctionsName, SanctionsWallet
from intel.types import SanctionsHit

logger = logging.getLogger(__name__)

# Matching thresholds (0-100). See the module docstring for why these values.
PERSON_THRESHOLD = 90
TOKEN_FLOOR = 90
ENTITY_THRESHOLD = 90
SINGLE_WORD_MIN_LENGTH = 5
# Hits reported per candidate value: the strongest entries. A name matching more entries
# than this is a very common name, and five are enough for a human to judge.
MAX_HITS_PER_VALUE = 5
# How often a process asks the database whether a new list was imported (one indexed query).
INDEX_REFRESH_SECONDS = 30

PROGRAM_PREFIX = "DPRK"
NULL = "-0-"  # OFAC's empty field (written "-0- ", with a trailing space)
SDN_COLUMNS = 12  # ent_num, name, type, program, title, call sign, vessel x5, remarks
ALT_COLUMNS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
BULK_BATCH_SIZE = 2000
FETCH_TIMEOUT = (10, 120)  # connect, read (seconds); SDN.CSV is a few megabytes
FETCH_MAX_BYTES = 64 * 1024 * 1024
NAME_MAX = SanctionsName._meta.get_field("name").max_length
PROGRAMS_MAX = SanctionsEntry._meta.get_field("programs").max_length


class SanctionsFormatError(ApplicationError):
    """The file is not an SDN.CSV / ALT.CSV as OFAC publishes them. Nothing was imported."""

    def __init__(self, message: str):
        super().__init__(f"{message}; the sanctions list was left unchanged.",
                         code="sanctions_format")


class SanctionsSourceUnavailable(Exception):
    """OFAC's server could not answer now (timeout, connection error, 5xx, 429): retry later.
    Nothing was imported."""


# --- Parsing ------------------------------------------------------------------------------


@dataclass
class ParsedEntry:
    ent_num: int
    name: str
    sdn_type: str  # individual, entity, vessel, aircraft
    programs: list[str]
    remarks: str
    aliases: list[str] = field(default_factory=list)
    wallets: list[tuple[str, str]] = field(default_factory=list)  # (currency, address)


def text_decode(data: bytes) -> str:
    """The files are Windows-1252 in practice; UTF-8 is accepted too (tried first: it fails
    loudly on anything else). Latin-1 takes the five bytes cp1252 leaves undefined."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _rows(text: str, file: str):
    """(line number, cells) of each record, skipping blank lines and the DOS end-of-file
    marker (a lone \\x1a) OFAC leaves on the last line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        for cells in reader:
            if not cells or all(not c.strip(" \x1a\r\n\t") for c in cells):
                continue
            yield reader.line_num, cells
    except csv.Error as exc:
        raise SanctionsFormatError(f"{file} line {reader.line_num}: {exc}") from exc


def _value(cell: str) -> str:
    value = cell.strip()
    return "" if value == NULL else value


def _cells(cells: list[str], count: int, file: str, line: int) -> list[str]:
    """Exactly `count` columns; trailing empty ones are tolerated."""
    while len(cells) > count and not cells[-1].strip():
        cells = cells[:-1]
    if len(cells) < count - 1 or len(cells) > count:
        raise SanctionsFormatError(
            f"{file} line {line}: {len(cells)} columns, expected {count}"
        )
    return [_value(c) for c in cells] + [""] * (count - len(cells))


def _ent_num(value: str, file: str, line: int) -> int:
    if not value.isdigit():
        raise SanctionsFormatError(f"{file} line {line}: entry number {value[:40]!r} is not "
                                   "a number")
    return int(value)


def programs_parse(value: str) -> list[str]:
    """Program tags from the Program column, in either rendering: "DPRK3] [CYBER2" (the
    legacy CSV strips the outer brackets of "[DPRK3] [CYBER2]") or "DPRK3; CYBER2"."""
    tags = re.split(r"[\[\];,\s]+", value.upper())
    return list(dict.fromkeys(tag for tag in tags if tag and tag != NULL))


def is_dprk(programs: list[str]) -> bool:
    return any(tag.startswith(PROGRAM_PREFIX) for tag in programs)


# "Digital Currency Address - XBT 1ABC...; alt. Digital Currency Address - ETH 0x..."
WALLET_RE = re.compile(r"Digital Currency Address\s*-\s*([A-Za-z0-9]+)\s+([A-Za-z0-9:]+)")
# "a.k.a. 'CHINA SILVER STAR'; f.k.a. "OLD NAME""
REMARKS_ALIAS_RE = re.compile(r"\b[afn]\.k\.a\.,?\s*['\"\u2018\u201c]([^'\"\u2019\u201d]+)"
                              r"['\"\u2019\u201d]", re.IGNORECASE)


def remarks_wallets(remarks: str) -> list[tuple[str, str]]:
    """(currency, address) of each "Digital Currency Address - CUR address" in remarks; 0x
    addresses lower-cased, as they compare (see wallet_key)."""
    found = []
    for currency, address in WALLET_RE.findall(remarks):
        key = (currency.upper(), wallet_key(address))
        if key not in found:
            found.append(key)
    return found


def remarks_aliases(remarks: str) -> list[str]:
    return [alias.strip() for alias in REMARKS_ALIAS_RE.findall(remarks) if alias.strip()]


def sdn_parse(text: str) -> list[ParsedEntry]:
    """Every entry of an SDN.CSV, whatever its programmes."""
    entries: dict[int, ParsedEntry] = {}
    for line, raw in _rows(text, "SDN.CSV"):
        cells = _cells(raw, SDN_COLUMNS, "SDN.CSV", line)
        ent_num = _ent_num(cells[0], "SDN.CSV", line)
        name = cells[1]
        if not name:
            raise SanctionsFormatError(f"SDN.CSV line {line}: entry {ent_num} has no name")
        if ent_num in entries:
            raise SanctionsFormatError(f"SDN.CSV line {line}: entry {ent_num} appears twice")
        remarks = cells[11]
        entries[ent_num] = ParsedEntry(
            ent_num=ent_num, name=name[:NAME_MAX],
            # OFAC leaves the type of an entity empty (-0-): individuals, vessels and
            # aircraft are the typed ones.
            sdn_type=(cells[2].lower() or "entity")[:20],
            programs=programs_parse(cells[3]), remarks=remarks,
            aliases=remarks_aliases(remarks), wallets=remarks_wallets(remarks),
        )
    return list(entries.values())


def alt_parse(text: str) -> dict[int, list[str]]:
    """ent_num -> alias names (a.k.a., f.k.a., n.k.a.) from an ALT.CSV."""
    aliases: dict[int, list[str]] = defaultdict(list)
    for line, raw in _rows(text, "ALT.CSV"):
        cells = _cells(raw, ALT_COLUMNS, "ALT.CSV", line)
        ent_num = _ent_num(cells[0], "ALT.CSV", line)
        if cells[3]:
            aliases[ent_num].append(cells[3])
    return dict(aliases)


def sdn_select(entries: list[ParsedEntry], alt: dict[int, list[str]], *,
               all_programs: bool) -> list[ParsedEntry]:
    """The entries kept for screening, each with its aliases (remarks and ALT.CSV) once."""
    kept = []
    for entry in entries:
        if not all_programs and not is_dprk(entry.programs):
            continue
        # An alias that folds to the primary name or to an earlier alias adds nothing.
        seen = {name_key(entry.name)}
        aliases = []
        for alias in entry.aliases + alt.get(entry.ent_num, []):
            key = name_key(alias)
            if key and key not in seen:
                seen.add(key)
                aliases.append(alias[:NAME_MAX])
        entry.aliases = aliases
        kept.append(entry)
    return kept


# --- Import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionsImportResult:
    import_id: int
    source: str
    entry_count: int  # entries kept
    alias_count: int
    wallet_count: int
    skipped_count: int  # entries of other programmes, not kept
    replaced_count: int  # entries the previous list had
    all_programs: bool

    def as_dict(self) -> dict:
        return {
            "import_id": self.import_id, "source": self.source, "entries": self.entry_count,
            "aliases": self.alias_count, "wallets": self.wallet_count,
            "skipped": self.skipped_count, "replaced": self.replaced_count,
            "programs": "all" if self.all_programs else f"{PROGRAM_PREFIX}*",
        }


def sanctions_import(*, sdn_text: str, alt_text: str | None = None, source: str,
                     all_programs: bool = False, actor: str = "system") -> SanctionsImportResult:
    """Replace the screening list with the entries of `sdn_text` (an SDN.CSV) and the aliases
    of `alt_text` (an ALT.CSV), in one transaction.

    Keeps the North Korea programmes, or every entry with `all_programs`. Raises
    SanctionsFormatError, before touching the database, for a file that is not in OFAC's
    format or that holds no entry to keep. `actor` is who imported, for the audit trail.
    """
    entries = sdn_parse(sdn_text)
    alt = alt_parse(alt_text) if alt_text else {}
    kept = sdn_select(entries, alt, all_programs=all_programs)
    if not kept:
        scope = "entries" if all_programs else f"entries of a {PROGRAM_PREFIX} programme"
        raise SanctionsFormatError(f"no {scope} among the {len(entries)} entries of {source}")
    digest = hashlib.sha256(sdn_text.encode("utf-8", "replace"))
    if alt_text:
        digest.update(alt_text.encode("utf-8", "replace"))
    source = source[:500]

    with transaction.atomic():
        replaced = SanctionsEntry.objects.count()
        # Children first, one DELETE statement each (nothing hangs off them). The entries
        # then have nothing left to cascade to, but Django's collector would still load all
        # 18,000 of them to find out (2.5 s): one plain DELETE instead.
        SanctionsWallet.objects.all().delete()
        SanctionsName.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SanctionsEntry._meta.db_table}")
        rows = SanctionsEntry.objects.bulk_create(
            [SanctionsEntry(ent_num=e.ent_num, name=e.name, sdn_type=e.sdn_type,
                            programs="; ".join(e.programs)[:PROGRAMS_MAX], remarks=e.remarks)
             for e in kept],
            batch_size=BULK_BATCH_SIZE,
        )
        names, wallets = [], []
        for row, entry in zip(rows, kept, strict=True):
            names.append(SanctionsName(entry=row, name=entry.name,
                                       normalized=name_key(entry.name)[:NAME_MAX]))
            names += [SanctionsName(entry=row, name=alias, is_alias=True,
                                    normalized=name_key(alias)[:NAME_MAX])
                      for alias in entry.aliases]
            wallets += [SanctionsWallet(entry=row, currency=currency[:20], address=address)
                        for currency, address in entry.wallets if len(address) <= 128]
        SanctionsName.objects.bulk_create(names, batch_size=BULK_BATCH_SIZE)
        SanctionsWallet.objects.bulk_create(wallets, batch_size=BULK_BATCH_SIZE)
        alias_count = sum(1 for n in names if n.is_alias)
        record = SanctionsImport(source=source, entry_count=len(rows), alias_count=alias_count,
                                 wallet_count=len(wallets), imported_at=timezone.now())
        record.full_clean()
        record.save()
        result = SanctionsImportResult(
            import_id=record.pk, source=source, entry_count=len(rows), alias_count=alias_count,
            wallet_count=len(wallets), skipped_count=len(entries) - len(kept),
            replaced_count=replaced, all_programs=all_programs,
        )
        audit_data_import(actor=actor, source="ofac-sdn",
                              summary={**result.as_dict(), "sha256": digest.hexdigest()})
        # This process sees the new list at once (inside the transaction too); others at
        # their next marker check.
        index_reset()
        transaction.on_commit(index_reset)
    logger.info("imported the sanctions list %s", result.as_dict())
    return result


def sanctions_fetch(url: str) -> str:
    """Download SDN.CSV or ALT.CSV. Raises SanctionsSourceUnavailable for what may pass
    (timeout, connection error, 5xx, 429) and ApplicationError for what will not (another
    4xx, a body larger than FETCH_MAX_BYTES)."""
    body = fetch_bytes(url, user_agent="vetting-sanctions/1.0", timeout=FETCH_TIMEOUT,
                       unavailable=SanctionsSourceUnavailable,
                       max_bytes=FETCH_MAX_BYTES)
    return text_decode(body)


def sanctions_read(path_or_url: str) -> str:
    """The text of a local file or of a URL (http/https)."""
    if path_or_url.startswith(("https://", "http://")):
        return sanctions_fetch(path_or_url)
    try:
        return text_decode(Path(path_or_url).read_bytes())
    except OSError as exc:
        raise ApplicationError(f"cannot read {path_or_url}: {exc.strerror}") from exc


# --- Names --------------------------------------------------------------------------------

# Letters NFKD does not take apart.
SPECIAL_LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe",
    "ı": "i", "ħ": "h", "ŀ": "l",
})
# Russian and Ukrainian Cyrillic, as OFAC romanises it (BGN/PCGN-like: Андреев -> Andreev).
CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
})
# Hangul jamo, romanised as the SDN list writes North Korean names (the DPRK system without
# diacritics: 정성화 -> Jong Song Hwa, 김상만 -> Kim Sang Man, 심현섭 -> Sim Hyon Sop).
HANGUL_INITIALS = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj",
                   "ch", "kh", "th", "ph", "h"]
HANGUL_VOWELS = ["a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo",
                 "u", "wo", "we", "wi", "yu", "u", "ui", "i"]
HANGUL_FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p",
                 "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]
# Surnames whose romanisation is fixed by usage rather than by the letters (이/리 -> Ri).
HANGUL_SURNAMES = {"김": "kim", "이": "ri", "리": "ri", "박": "pak", "최": "choe",
                   "정": "jong", "조": "jo", "임": "rim", "림": "rim", "유": "ryu",
                   "류": "ryu", "노": "ro", "로": "ro", "오": "o", "우": "u"}
# One Korean syllable written several ways in Latin letters (South Korean, older, and North
# Korean spellings), folded to one spelling, mostly the SDN list's. Both sides are folded,
# so an English "Lee" still equals an SDN "LEE". Besides these, "eo" and "eu" (South
# Korean) fold to "o" and "u" (North Korean, and the SDN list): Seong/Song, Cheol/Chol.
KOREAN_SPELLINGS = {
    "lee": "ri", "yi": "ri", "rhee": "ri", "rhie": "ri", "park": "pak", "bak": "pak",
    "choi": "choe", "chwe": "choe", "jeong": "jong", "jung": "jong", "chung": "jong",
    "chong": "jong", "gim": "kim", "lim": "rim", "im": "rim", "yim": "rim", "yoo": "ryu",
    "yu": "ryu", "ryoo": "ryu", "roh": "ro", "noh": "ro", "shin": "sin", "jeon": "jon",
    "seo": "so", "suh": "so", "baek": "paek", "paik": "paek", "bae": "pae", "heo": "ho",
    "byun": "pyon", "byeon": "pyon", "hyun": "hyon", "hyeon": "hyon", "yoon": "yun",
    "moon": "mun", "koh": "ko", "cho": "jo", "sohn": "son", "gang": "kang", "oh": "o",
    # North Korean spelling keeps an initial R that South Korean drops (룡: Ryong / Yong).
    "ryong": "yong", "ryang": "yang", "ryon": "yon", "ryol": "yol", "ryom": "yom",
}
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "eng"}
# Legal forms, dropped from organisation names ("Co., Ltd." and "Company" say nothing).
LEGAL_FORMS = {
    "co", "company", "companies", "corp", "corporation", "inc", "incorporated", "ltd",
    "limited", "llc", "plc", "lp", "llp", "gmbh", "ag", "sa", "sarl", "srl", "sro", "bv", "nv",
    "jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pte", "pvt", "fze", "fzco", "fzc",
    "the",
}
# Russian, Ukrainian and Turkic patronymics: optional, a person may leave theirs out.
PATRONYMIC_RE = re.compile(r".{2,}(?:[oe]vich|[oe]vych|ichna|[oe]vna|ogly|oglu|kyzy|qizi)$")


def _hangul(word: str) -> list[str]:
    """A word of Hangul syllables as [surname, given name]: Korean names are written without
    a space, the one-syllable surname first (two-syllable surnames are rare and not split)."""
    syllables = []
    for char in word:
        code = ord(char) - 0xAC00
        initial, rest = divmod(code, 588)
        vowel, final = divmod(rest, 28)
        syllables.append(HANGUL_INITIALS[initial] + HANGUL_VOWELS[vowel] + HANGUL_FINALS[final])
    first = HANGUL_SURNAMES.get(word[0], syllables[0])
    if len(syllables) == 1:
        return [first]
    return [first, "".join(_korean_fold(s) for s in syllables[1:])]


def _korean_fold(word: str) -> str:
    word = KOREAN_SPELLINGS.get(word, word).replace("eo", "o").replace("eu", "u")
    return KOREAN_SPELLINGS.get(word, word)


def _is_hangul(word: str) -> bool:
    return bool(word) and all(0xAC00 <= ord(c) <= 0xD7A3 for c in word)


def _fold(text: str) -> str:
    """Plain lower-case Latin letters and digits; everything else becomes a space, except
    apostrophes (O'Neil -> oneil) and hyphens (kept for the caller to split or join)."""
    text = text.lower()
    if not text.isascii():
        # Cyrillic first: NFKD would take the breve off й and make it и.
        text = unicodedata.normalize("NFKD", text.translate(CYRILLIC).translate(SPECIAL_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return NON_NAME_RE.sub(" ", APOSTROPHE_RE.sub("", text))


APOSTROPHE_RE = re.compile(r"['\u2019`\u02bc]")
NON_NAME_RE = re.compile(r"[^a-z0-9-]+")


@functools.lru_cache(maxsize=100_000)
def _word_groups(raw: str) -> tuple[tuple[str, ...], ...]:
    """One whitespace-separated piece of a name as groups of folded words: a hyphenated word
    is one group of several words, so that callers can try it split and joined. Cached:
    the list and the candidates repeat the same words (Kim, Mohammed, Trading) endlessly."""
    if _is_hangul(raw):
        return tuple((w,) for w in _hangul(raw))
    groups = []
    for piece in _fold(raw).split():
        words = tuple(_korean_fold(w) for w in piece.split("-") if w)
        if words:
            groups.append(words)
    return tuple(groups)


def _parts(text: str) -> list[tuple[str, ...]]:
    return [g for raw in unicodedata.normalize("NFC", text or "").split()
            for g in _word_groups(raw)]


def _words(text: str) -> list[str]:
    """The folded words of a name, hyphenated words split."""
    return [w for g in _parts(text) for w in g]


def name_key(name: str) -> str:
    """The name's words folded and sorted: what `SanctionsName.normalized` stores."""
    return " ".join(sorted(_words(name)))


class Form(NamedTuple):
    """One way of writing a name, as folded words in their written order."""

    words: tuple[str, ...]
    # Where the given names start, when the name said which its surname is ("KIM, Sang Man":
    # 1); None otherwise. Given names must pair in their order: "Ok Ryong" is not "Ryong Ok".
    given_at: int | None = None
    # A patronymic was left out. Two forms that both left theirs out never pair: "Yuriy
    # Denisovich Mikhailov" is not "MIKHAILOV, Yuriy Igorovich".
    dropped: bool = False
    # For each word this form made by joining words ("Sang Man" -> sangman), the words it
    # joined; () for the others, and no entries at all when nothing was joined. A joined
    # word pairs only if each of its parts does: joined, short syllables would hide a
    # changed one ("Il Gil" / "Gil Gil" are 91 as one word each, but Il/Gil pair at 80).
    parts: tuple[tuple[str, ...], ...] = ()

    def parts_of(self, i: int) -> tuple[str, ...]:
        return self.parts[i] if self.parts else ()


def _joined(groups: list[tuple[str, ...]]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each group as one word, and the parts of the words that joined several."""
    parts = tuple(g if len(g) > 1 else () for g in groups)
    return tuple("".join(g) for g in groups), parts if any(parts) else ()


def name_forms(name: str, *, person: bool) -> list[Form]:
    """The ways a name may be written.

    For people: hyphenated words split and joined ("Song-hwa": song hwa / songhwa), the given
    names joined into one word ("KIM, Sang Man" -> kim sangman; for a name without a comma,
    the first two or the last two words joined), titles dropped, and each form again
    without patronymics. For organisations: legal forms dropped, hyphens split and joined.
    """
    if not person:
        groups = _parts(name)
        kept = [g for g in groups if not (len(g) == 1 and g[0] in LEGAL_FORMS)]
        groups = kept or groups  # "COMPANY LTD" alone stays what it is
        if not groups:
            return []
        split = tuple(w for g in groups for w in g)
        joined, parts = _joined(groups)
        return [Form(split)] + ([Form(joined, parts=parts)] if joined != split else [])

    def drop_titles(groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        return [g for g in groups if not (len(g) == 1 and g[0] in TITLES)]

    surname, comma, given = (name or "").partition(",")
    if comma:
        surnames, givens = drop_titles(_parts(surname)), drop_titles(_parts(given))
    else:
        surnames, givens = [], drop_titles(_parts(name))
    groups = surnames + givens
    if not groups:
        return []
    given_at = len(surnames) if comma and surnames else None
    words, parts = _joined(groups)
    forms = [Form(tuple(w for g in groups for w in g),
                  None if given_at is None else sum(map(len, surnames))),
             Form(words, given_at, parts=parts)]
    if given_at is not None and len(givens) >= 2:
        words, parts = _joined(surnames + [tuple(w for g in givens for w in g)])
        forms.append(Form(words, given_at, parts=parts))
    elif given_at is None and len(groups) >= 3:
        for merged in ([groups[0] + groups[1]] + groups[2:],
                       groups[:-2] + [groups[-2] + groups[-1]]):
            words, parts = _joined(merged)
            forms.append(Form(words, parts=parts))
    for form in list(forms):
        kept = [i for i, w in enumerate(form.words) if not PATRONYMIC_RE.match(w)]
        if 2 <= len(kept) < len(form.words):
            at = form.given_at
            if at is not None:
                at = sum(1 for i in kept if i < form.given_at)
            parts = tuple(form.parts_of(i) for i in kept)
            forms.append(Form(tuple(form.words[i] for i in kept), at, dropped=True,
                              parts=parts if any(parts) else ()))
    unique: dict[tuple[str, ...], Form] = {}
    for form in forms:
        if form.words not in unique or unique[form.words].dropped and not form.dropped:
            unique[form.words] = form
    return list(unique.values())


def wallet_key(address: str) -> str:
    """How a wallet address compares: exactly, except 0x hex addresses (Ethereum and its
    kin), whose mixed case is only a checksum."""
    address = (address or "").strip()
    return address.lower() if address[:2].lower() == "0x" else address


# --- The in-memory index ------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One name of an SDN entry: its primary name or an alias."""

    ent_num: int
    entry_name: str
    name: str
    programs: str


def _word_similarity(a: str, a_parts: tuple[str, ...], b: str,
                     b_parts: tuple[str, ...]) -> float | None:
    """fuzz.ratio of two words, or None below TOKEN_FLOOR. A word made by joining is
    compared part by part: the other word's parts if it has as many, else each way of
    cutting the other word into that many pieces (the best that pairs every part)."""
    if not a_parts and not b_parts:
        similarity = fuzz.ratio(a, b)
        return similarity if similarity >= TOKEN_FLOOR else None
    if a_parts and b_parts and len(a_parts) == len(b_parts):
        return _parts_similarity(a_parts, b_parts)
    parts, other = (a_parts, b) if a_parts else (b_parts, a)
    best = None
    for cuts in itertools.combinations(range(1, len(other)), len(parts) - 1):
        bounds = (0, *cuts, len(other))
        # Each piece folded as a word of its own would be ("okryong": ok + ryong -> yong).
        pieces = [_korean_fold(other[x:y]) for x, y in itertools.pairwise(bounds)]
        similarity = _parts_similarity(parts, pieces)
        if similarity is not None and (best is None or similarity > best):
            best = similarity
    return best


def _parts_similarity(left, right) -> float | None:
    similarities = [fuzz.ratio(x, y) for x, y in zip(left, right)]
    if min(similarities) < TOKEN_FLOOR:
        return None
    weights = [len(x) + len(y) for x, y in zip(left, right)]
    return sum(s * w for s, w in zip(similarities, weights)) / sum(weights)


def _pairs(query: Form, form: Form) -> list[tuple[float, int, int]] | None:
    """Pair each word of the query with a word of the form (same count), most similar
    first: (similarity, query position, form position). None when a word finds no partner
    at TOKEN_FLOOR."""
    ranked = sorted(((fuzz.ratio(a, b), i, j) for i, a in enumerate(query.words)
                     for j, b in enumerate(form.words)), reverse=True)
    used_q, used_f = set(), set()
    pairs = []
    for _, i, j in ranked:
        if i in used_q or j in used_f:
            continue
        similarity = _word_similarity(query.words[i], query.parts_of(i), form.words[j],
                                      form.parts_of(j))
        if similarity is None:
            return None
        used_q.add(i)
        used_f.add(j)
        pairs.append((similarity, i, j))
    return pairs


def _person_score(query: Form, form: Form) -> float | None:
    """The length-weighted mean similarity of the word pairs; None when the forms cannot
    name the same person (a word without a partner, given names out of order, both without
    their patronymic)."""
    if len(query.words) != len(form.words) or query.dropped and form.dropped:
        return None
    pairs = _pairs(query, form)
    if pairs is None:
        return None
    if form.given_at is not None:
        given = sorted((j, i) for _, i, j in pairs if j >= form.given_at)
        if any(a[1] > b[1] for a, b in itertools.pairwise(given)):
            return None
    total = sum(s * (len(query.words[i]) + len(form.words[j])) for s, i, j in pairs)
    return total / (sum(map(len, query.words)) + sum(map(len, form.words)))


def _entity_score(query: Form, form: Form) -> float | None:
    """rapidfuzz `token_sort_ratio` of the two names, provided they have the same number of
    words that all pair at TOKEN_FLOOR ("Zeto Investment" is not "ZATO INVESTMENT": 93 as a
    whole, but Zeto/Zato pair at 75). Names equal once spaces are removed score 100
    ("Silver Star" / "SILVERSTAR")."""
    if "".join(query.words) == "".join(form.words):
        return 100.0
    if len(query.words) != len(form.words) or _pairs(query, form) is None:
        return None
    return fuzz.ratio(" ".join(sorted(query.words)), " ".join(sorted(form.words)))


class NameIndex:
    """Forms of SDN names, found by their words. A query's candidates are the forms that,
    for every query word, contain a word similar at TOKEN_FLOOR or better, intersected
    through postings: nothing is scored that could not hit.

    Similar words are found without scanning the vocabulary where the floor allows one
    letter added or dropped at most (two words of 19 letters together or fewer, so nearly
    every name word): every word is indexed under itself and each way of dropping one of
    its letters, and a query word's own deletions find all its neighbours. Only longer pairs
    (TECHNOLOGY / TECHNOLOGIES) are looked up with rapidfuzz over the words of the lengths
    that can reach the floor."""

    threshold = 100.0

    def __init__(self):
        self.forms: list[Form] = []
        self.form_target: list[int] = []
        self.postings: dict[str, set[int]] = defaultdict(set)
        # word length -> the vocabulary's words of that length
        self.by_length: dict[int, list[str]] = {}
        # a word, or a word with one letter dropped -> the vocabulary's words it comes from
        self.deletions: dict[str, list[str]] = {}
        # the form's words run together -> forms ("silverstar", "sangman")
        self.spaceless: dict[str, list[int]] = defaultdict(list)

    def add(self, target: int, forms: list[Form]) -> None:
        for form in forms:
            form_id = len(self.forms)
            self.forms.append(form)
            self.form_target.append(target)
            for word in form.words:
                self.postings[word].add(form_id)
            self.spaceless["".join(form.words)].append(form_id)

    def freeze(self) -> None:
        self.postings = dict(self.postings)
        self.spaceless = dict(self.spaceless)
        by_length: dict[int, list[str]] = defaultdict(list)
        deletions: dict[str, list[str]] = defaultdict(list)
        for word in self.postings:
            by_length[len(word)].append(word)
            for variant in _deletions(word):
                deletions[variant].append(word)
        self.by_length = dict(by_length)
        self.deletions = dict(deletions)

    def score(self, query: Form, form: Form) -> float | None:
        raise NotImplementedError

    def search(self, queries: list[Form]) -> dict[int, float]:
        best: dict[int, float] = {}
        for query in queries:
            candidates: set[int] = set(self.spaceless.get("".join(query.words), ()))
            if len(query.words) == 1:
                # One word alone: only the same one word, and a long enough one ("Kim" never).
                candidates = {f for f in candidates if len(self.forms[f].words) == 1}
                if len(query.words[0]) < SINGLE_WORD_MIN_LENGTH:
                    continue
            else:
                common: set[int] | None = None
                for word in sorted(set(query.words), key=len, reverse=True):
                    forms = self.similar_forms(word)
                    common = forms if common is None else common & forms
                    if not common:
                        break
                candidates |= common or set()
            for form_id in candidates:
                score = self.score(query, self.forms[form_id])
                if score is not None and score >= self.threshold:
                    _keep(best, self.form_target[form_id], score)
        return best

    def similar_forms(self, word: str) -> set[int]:
        """The forms holding a word at TOKEN_FLOOR or better from word."""
        forms: set[int] = set()
        for similar in self.similar_words(word):
            forms |= self.postings[similar]
        return forms

    def similar_words(self, word: str) -> set[str]:
        """The vocabulary's words at TOKEN_FLOOR or better from word."""
        # ratio = 1 - d / (len(a) + len(b)), d the insertions and deletions between them;
        # with d >= the difference in length, a word more than about a fifth longer or
        # shorter cannot reach the floor, and up to a total length of 19 (at 90) only d <= 1
        # can: what the deletion index finds.
        low = math.ceil(len(word) * TOKEN_FLOOR / (200 - TOKEN_FLOOR))
        high = math.floor(len(word) * (200 - TOKEN_FLOOR) / TOKEN_FLOOR)
        found: set[str] = set()
        for variant in _deletions(word):
            for other in self.deletions.get(variant, ()):
                if _one_edit_region(len(word), len(other)) and (
                    fuzz.ratio(word, other) >= TOKEN_FLOOR
                ):
                    found.add(other)
        for length in range(low, high + 1):
            choices = self.by_length.get(length)
            if not choices or _one_edit_region(len(word), length):
                continue
            for other, _, _ in process.extract(word, choices, scorer=fuzz.ratio,
                                               score_cutoff=TOKEN_FLOOR, limit=None):
                found.add(other)
        return found


def _deletions(word: str) -> set[str]:
    """The word itself and the word with each one of its letters dropped."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit_region(length: int, other_length: int) -> bool:
    """Whether words of these lengths reach TOKEN_FLOOR only one edit apart at most."""
    return (length + other_length) * (100 - TOKEN_FLOOR) < 200


class PersonIndex(NameIndex):
    """SDN individuals' names."""

    threshold = PERSON_THRESHOLD

    def score(self, query: Form, form: Form) -> float | None:
        return _person_score(query, form)


class EntityIndex(NameIndex):
    """SDN entities' names."""

    threshold = ENTITY_THRESHOLD

    def score(self, query: Form, form: Form) -> float | None:
        return _entity_score(query, form)


def _keep(best: dict[int, float], target: int, score: float) -> None:
    if score > best.get(target, -1.0):
        best[target] = score


@dataclass
class SanctionsIndex:
    targets: list[Target] = field(default_factory=list)
    people: PersonIndex = field(default_factory=PersonIndex)
    entities: EntityIndex = field(default_factory=EntityIndex)
    # wallet_key(address) -> (target, "CUR address")
    wallets: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    marker: int | None = None

    @property
    def name_count(self) -> int:
        return len(self.targets)


# What each role of the candidate's data is compared with.
ROLE_INDEXES = {"name": ("people",), "holder": ("people", "entities"),
                "employer": ("entities",)}


def index_build(names, wallets, marker: int | None = None) -> SanctionsIndex:
    """Build the index from (name, ent_num, entry name, programs, sdn_type) rows and
    (address, currency, ent_num, entry name, programs) rows."""
    index = SanctionsIndex(marker=marker)
    primary: dict[int, int] = {}
    for name, ent_num, entry_name, programs, sdn_type in names:
        if sdn_type not in ("individual", "entity"):
            continue  # vessels and aircraft are not people or employers
        target = len(index.targets)
        index.targets.append(Target(ent_num, entry_name, name, programs))
        if name == entry_name:
            primary[ent_num] = target
        person = sdn_type == "individual"
        forms = name_forms(name, person=person)
        (index.people if person else index.entities).add(target, forms)
    index.people.freeze()
    index.entities.freeze()
    by_wallet: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for address, currency, ent_num, entry_name, programs in wallets:
        target = primary.get(ent_num)
        if target is None:
            target = len(index.targets)
            index.targets.append(Target(ent_num, entry_name, entry_name, programs))
            primary[ent_num] = target
        by_wallet[wallet_key(address)].append((target, f"{currency} {address}".strip()))
    index.wallets = dict(by_wallet)
    return index


def index_marker() -> int | None:
    """The latest import's id: changes with every import (one indexed query)."""
    return SanctionsImport.objects.order_by("-id").values_list("id", flat=True).first()


def index_load() -> SanctionsIndex:
    # The marker is read first: an import committing meanwhile makes the next check rebuild.
    marker = index_marker()
    names = SanctionsName.objects.values_list(
        "name", "entry__ent_num", "entry__name", "entry__programs", "entry__sdn_type"
    ).order_by("entry__ent_num", "is_alias", "id")
    wallets = SanctionsWallet.objects.values_list(
        "address", "currency", "entry__ent_num", "entry__name", "entry__programs"
    )
    return index_build(names.iterator(chunk_size=10_000), wallets.iterator(), marker)


_index: SanctionsIndex | None = None
_checked_at = 0.0
_lock = threading.Lock()


def sanctions_index() -> SanctionsIndex:
    """This process's index, rebuilt when a list was imported since (checked at most every
    INDEX_REFRESH_SECONDS)."""
    global _index, _checked_at
    index = _index
    if index is not None and time.monotonic() - _checked_at < INDEX_REFRESH_SECONDS:
        return index
    with _lock:
        if _index is not None and time.monotonic() - _checked_at < INDEX_REFRESH_SECONDS:
            return _index
        if _index is None or index_marker() != _index.marker:
            started = time.perf_counter()
            _index = index_load()
            logger.info("sanctions index built: %d names in %.2fs", _index.name_count,
                        time.perf_counter() - started)
        _checked_at = time.monotonic()
        return _index


def index_reset() -> None:
    """Drop this process's index; the next look-up rebuilds it from the database."""
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0


# --- Screening ----------------------------------------------------------------------------


def sanctions_hits(*, names: list[tuple[str, str]], wallets: list[str]) -> list[SanctionsHit]:
    """SDN entries matching any (role, value) of `names` (roles: name, holder, employer) or
    any wallet address, strongest first; at most MAX_HITS_PER_VALUE entries per value."""
    index = sanctions_index()
    if not index.targets:
        return []
    hits: list[SanctionsHit] = []
    seen: set[tuple[str, str]] = set()
    for role, value in names:
        value = (value or "").strip()
        if not value or (role, value) in seen:
            continue
        seen.add((role, value))
        best: dict[int, float] = {}
        for kind in ROLE_INDEXES.get(role, ("people", "entities")):
            found = getattr(index, kind).search(name_forms(value, person=kind == "people"))
            for target, score in found.items():
                _keep(best, target, score)
        hits += _strongest(index, best, role, value)
    for address in wallets:
        address = (address or "").strip()
        if not address or ("wallet", address) in seen:
            continue
        seen.add(("wallet", address))
        for target, listed in index.wallets.get(wallet_key(address), ()):
            t = index.targets[target]
            hits.append(SanctionsHit(ent_num=t.ent_num, entry_name=t.entry_name,
                                     matched_name=listed, programs=t.programs, score=100.0,
                                     role="wallet", query=address))
    hits.sort(key=lambda h: (-h.score, h.role, h.query, h.ent_num))
    return hits


def _strongest(index: SanctionsIndex, best: dict[int, float], role: str,
               value: str) -> list[SanctionsHit]:
    """The best-scoring name of each entry, then the strongest entries."""
    per_entry: dict[int, tuple[float, Target]] = {}
    for target_id, score in best.items():
        target = index.targets[target_id]
        current = per_entry.get(target.ent_num)
        # Ties go to the primary name, which is what a human looks up first.
        if current is None or score > current[0] or (
            score == current[0] and target.name == target.entry_name
        ):
            per_entry[target.ent_num] = (score, target)
    ranked = sorted(per_entry.values(), key=lambda item: (-item[0], item[1].ent_num))
    return [
        SanctionsHit(ent_num=t.ent_num, entry_name=t.entry_name, matched_name=t.name,
                     programs=t.programs, score=round(score, 1), role=role, query=value)
        for score, t in ranked[:MAX_HITS_PER_VALUE]
    ]
