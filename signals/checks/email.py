"""Email addresses (THREATS B3, B4): throw-away mailboxes, mass-produced persona addresses,
and addresses that name someone other than the candidate.

The last two are heuristics about names and habits, and many honest people have an address
like dana.whitfield87@gmail.com or one from before they married. They are kept weak in the
catalog, and this check is built to stay silent when in doubt: an address flagged wrongly
costs an honest applicant more than a persona missed here, which has stronger tells.
An address shared with other applicants is the identity-reuse check's `reuse.email`.
"""

import re
import unicodedata

from disposable_email_domains import blocklist
from rapidfuzz import fuzz

from signals.engine import CandidateSnapshot, EmailSnap, Flag, Lookups, check

# Free consumer mailboxes, where personas are created in bulk. Regional variants of the big
# providers (yahoo.co.uk, hotmail.fr, outlook.de, ...) are matched by WEBMAIL_REGIONAL_RE.
WEBMAIL_DOMAINS = {
    "gmail.com", "googlemail.com",
    "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "ymail.com", "rocketmail.com", "aol.com",
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
    "icloud.com", "me.com", "mac.com",
    "mail.com", "email.com", "usa.com", "gmx.com", "gmx.net", "gmx.de",
    "yandex.com", "yandex.ru", "mail.ru", "inbox.ru", "bk.ru", "list.ru",
    "zoho.com", "zohomail.com", "tutanota.com", "tuta.io", "fastmail.com",
    "qq.com", "163.com", "126.com", "sina.com", "naver.com", "daum.net", "hanmail.net",
}
WEBMAIL_REGIONAL_RE = re.compile(
    r"^(?:yahoo|hotmail|outlook|live|gmx|yandex)\.(?:[a-z]{2,3}|(?:co|com)\.[a-z]{2})$"
)

# Name (letters, at most one . or _ inside) followed by two or more digits: johnsmith1987,
# john.smith87, j_smith_2024. A heuristic from the reporting, not an official indicator.
PERSONA_DIGITS_RE = re.compile(r"^[a-z]+(?:[._][a-z]+)?[._]?\d{2,}$")
# Developer-role words that persona addresses carry (THREATS B4: dev, eng, sol, 0x). Matched
# as whole words of the local part once the candidate's own name is taken out, never as
# substrings: Sahdev, Marisol, Kevin Eng and Devon are names.
ROLE_WORDS = {
    "dev", "devs", "developer", "eng", "engr", "engineer", "sol", "solidity", "coder", "code",
    "coding", "programmer", "tech", "techie", "software", "fullstack", "frontend", "backend",
    "web3", "blockchain", "crypto", "defi", "nft",
}
HEX_PREFIX_RE = re.compile(r"(?:^|[._-])0x")

# Local parts that are not a person: role mailboxes and common filler words. A local part
# containing one is never read as someone else's name.
NOT_NAMES = {
    "hello", "hi", "hey", "contact", "me", "info", "mail", "email", "inbox", "admin", "office",
    "team", "support", "jobs", "job", "careers", "career", "work", "hr", "hire", "hiring",
    "recruiting", "resume", "cv", "apply", "application", "applications", "personal",
    "private", "official", "business", "biz", "sales", "web", "site", "home", "main", "the",
    "my", "its", "im", "iam", "mr", "mrs", "ms", "dr", "real", "test", "user", "account",
    "online", "pro", "noreply", "no", "reply", "dear", "just", "only", "mister", "miss",
}
# Short forms that share no letters with the full name (Bob is Robert). Forms that do
# (Alex, Chris, Liz, Mike, Dave) are matched by the fuzzy comparison.
NICKNAMES = {
    "bob": {"robert"}, "bobby": {"robert"}, "rob": {"robert"}, "bill": {"william"},
    "billy": {"william"}, "will": {"william"}, "liam": {"william"}, "jim": {"james"},
    "jimmy": {"james"}, "jack": {"john"}, "dick": {"richard"}, "rick": {"richard", "frederick"},
    "peggy": {"margaret"}, "maggie": {"margaret"}, "meg": {"margaret"}, "betty": {"elizabeth"},
    "beth": {"elizabeth"}, "lisa": {"elizabeth"}, "ted": {"edward", "theodore"},
    "ed": {"edward", "edwin"}, "ned": {"edward"}, "tom": {"thomas"}, "tony": {"anthony"},
    "sasha": {"alexander", "alexandra", "aleksandr"}, "kate": {"katherine", "catherine"},
    "katie": {"katherine", "catherine"}, "cathy": {"catherine"}, "chuck": {"charles"},
    "charlie": {"charles"}, "hank": {"henry"}, "harry": {"henry", "harold"},
    "jen": {"jennifer"}, "jenny": {"jennifer"}, "pepe": {"jose"}, "paco": {"francisco"},
    "pancho": {"francisco"}, "memo": {"guillermo"}, "kolya": {"nikolai"},
    "dima": {"dmitry", "dmitri"}, "misha": {"mikhail"}, "vova": {"vladimir"},
}
# Two name words are "the same" at or above this rapidfuzz score (typos, transliterations:
# mohamed/mohammed, and short forms found inside the name: dan/dana, liz/elizabeth).
SAME_WORD_SCORE = 75


@check("email")
def email_check(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    name = name_words(snapshot.full_name)
    flags = []
    for email in snapshot.emails:
        local, domain = _parts(email)
        if not local or not domain:
            continue
        if _is_disposable(domain):
            flags.append(Flag(
                "email.disposable",
                f"{email.address} is at a disposable-mailbox domain",
                {"address": email.address, "domain": domain},
            ))
        if _is_webmail(domain):
            why = _persona_pattern(local, name)
            if why:
                flags.append(Flag(
                    "email.persona_pattern",
                    f"{email.address} looks mass-produced ({why}) on a free mailbox",
                    {"address": email.address, "pattern": why},
                ))
        other = _other_name(local, domain, name)
        if other:
            flags.append(Flag(
                "email.name_mismatch",
                f"{email.address} reads as another person's name "
                f"({' '.join(other)}), not {snapshot.full_name}",
                {"address": email.address, "email_name": " ".join(other),
                 "full_name": snapshot.full_name},
            ))
    return _one_per_code(flags)


def fold(text: str | None) -> str:
    """Lower case, accents folded (José -> jose)."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def name_words(full_name: str | None) -> list[str]:
    """The Latin-letter words of a name; apostrophes join (O'Neil -> oneil)."""
    text = re.sub(r"['’`]", "", fold(full_name))
    return [w for w in re.split(r"[^a-z]+", text) if w]


def _parts(email: EmailSnap) -> tuple[str, str]:
    """(local part without +tag, domain), lower case; ("", "") when it is no address."""
    local, at, _ = (email.address or "").strip().rpartition("@")
    domain = (email.domain or "").strip().lower().rstrip(".")
    if not at or not local:
        return "", ""
    return fold(local).split("+", 1)[0], domain


def _parent_domains(domain: str) -> list[str]:
    """The domain and each parent above its top-level label: a.b.example.com, b.example.com,
    example.com."""
    labels = [label for label in domain.split(".") if label]
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def _is_disposable(domain: str) -> bool:
    names = set(_parent_domains(domain))
    try:
        names |= set(_parent_domains(domain.encode("idna").decode("ascii")))
    except UnicodeError:
        pass  # not a valid international name: checked as written only
    return any(name in blocklist for name in names)


def _is_webmail(domain: str) -> bool:
    return domain in WEBMAIL_DOMAINS or bool(WEBMAIL_REGIONAL_RE.match(domain))


def _persona_pattern(local: str, name: list[str]) -> str:
    """Why the local part looks mass-produced, or ""."""
    if PERSONA_DIGITS_RE.match(local):
        return "name followed by digits"
    if HEX_PREFIX_RE.search(local):
        return "0x prefix"
    for word in re.split(r"[._\-\d]+", local):
        if word in name:
            continue  # Dev Patel, Sol Cohen, Kevin Eng: their own name, not a role
        if word in ROLE_WORDS:
            return f"role word '{word}'"
        # johnsmithdev: the candidate's own name taken out leaves the role word.
        for piece in _without_name(word, name):
            if piece in ROLE_WORDS:
                return f"role word '{piece}'"
    return ""


def _without_name(word: str, name: list[str]) -> list[str]:
    """The pieces of `word` left once the candidate's name words are cut out of it (only
    when at least one was: otherwise [])."""
    pieces = [word]
    for part in sorted((w for w in name if len(w) >= 2), key=len, reverse=True):
        pieces = [p for piece in pieces for p in piece.split(part)]
    pieces = [p for p in pieces if p]
    return pieces if pieces != [word] else []


def _other_name(local: str, domain: str, name: list[str]) -> list[str]:
    """The words of the local part when they read as another person's first and last name,
    sharing nothing with the candidate's name; otherwise []."""
    if not name:
        return []  # a name without Latin letters cannot be compared here
    match = re.fullmatch(r"([a-z]+(?:[._-][a-z]+){1,2})[._-]?\d*", local)
    if not match:
        return []  # one word (dana, dwhitfield, coolcoder), digits inside, other characters
    # Initials say too little to be someone else (d.whitfield, j.smith); a middle initial
    # between two names is left out (john.r.smith).
    words = [w for w in re.split(r"[._-]", match.group(1)) if len(w) >= 2]
    if len(words) < 2:
        return []
    if any(w in NOT_NAMES or w in ROLE_WORDS for w in words):
        return []  # role mailboxes (hello.team), dev.john
    if any(not re.search(r"[aeiouy]", w) for w in words):
        return []  # not a name (xkcd.rtfm)
    if not _is_webmail(domain):
        labels = [label for label in re.split(r"[.-]", domain) if label]
        if any(_same_word(label, n) for label in labels for n in name):
            return []  # an own domain: jo.bloggs@whitfield.dev
    if any(_same_word(w, n) for w in words for n in name):
        return []  # shares a name word, in any order: whitfield.dana, dan.whitfield
    joined = "".join(name)
    if any(len(w) >= 3 and fuzz.partial_ratio(w, joined) >= 90 for w in words):
        return []  # a compound name split differently (maryjane.oneil for Mary-Jane O'Neil)
    return words


def _same_word(a: str, b: str) -> bool:
    if a == b or b in NICKNAMES.get(a, ()) or a in NICKNAMES.get(b, ()):
        return True
    if min(len(a), len(b)) < 3:
        return False  # two letters match too much by chance
    return fuzz.ratio(a, b) >= SAME_WORD_SCORE or fuzz.partial_ratio(a, b) >= SAME_WORD_SCORE


def _one_per_code(flags: list[Flag]) -> list[Flag]:
    """Several addresses with the same finding are one finding (the first address's)."""
    seen: dict[str, Flag] = {}
    for flag in flags:
        seen.setdefault(flag.code, flag)
    return list(seen.values())
