"""A resume paraphraser: what a language model does to a persona mill's template.

The scatter-gun operator (issue 10) keeps one career skeleton and has every persona's resume
rewritten: words swapped for synonyms, bullets reordered and some dropped, numbers changed,
stock phrases reworded. Each such rewrite breaks most of the 4-word shingles a MinHash
near-duplicate search relies on (signals/resume.py), while the career (employers, titles,
dates) stays the template's. The demo's quiet personas are written with it, and
bench/resume_links.py measures resume linking on it.

Pure and deterministic: every choice comes from the `random.Random` passed in.
"""

import random
import re

# word -> alternatives a rewriter picks from (lower case; capitalisation is carried over)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "built": ("developed", "created", "engineered", "put together"),
    "led": ("headed", "guided", "drove", "steered"),
    "designed": ("architected", "devised", "shaped"),
    "reduced": ("lowered", "decreased", "brought down"),
    "cut": ("trimmed", "slashed", "reduced"),
    "improved": ("boosted", "enhanced", "raised"),
    "wrote": ("authored", "drafted", "produced"),
    "added": ("introduced", "brought in", "implemented"),
    "owned": ("ran", "was responsible for", "managed"),
    "worked": ("collaborated", "partnered", "teamed up"),
    "shipped": ("delivered", "released", "launched"),
    "experience": ("background", "expertise", "track record"),
    "products": ("applications", "solutions", "platforms"),
    "teams": ("squads", "groups", "crews"),
    "mostly": ("mainly", "primarily", "largely"),
    "lately": ("recently", "in recent years"),
    "created": ("set up", "established", "founded"),
    "migrated": ("moved", "ported", "transitioned"),
    "introduced": ("rolled out", "brought in", "launched"),
    "maintained": ("looked after", "kept up", "supported"),
    "implemented": ("delivered", "built out", "coded"),
    "service": ("microservice", "backend", "system"),
    "services": ("microservices", "backends", "systems"),
    "engineers": ("developers", "programmers"),
    "developers": ("engineers", "programmers"),
    "users": ("customers", "people", "end users"),
    "daily": ("every day", "per day"),
    "latency": ("response time", "delay"),
    "pipeline": ("workflow", "flow", "chain"),
    "tooling": ("tools", "utilities"),
    "team": ("group", "squad"),
    "using": ("with", "by means of", "leveraging"),
    "with": ("using", "alongside"),
    "across": ("over", "throughout", "spanning"),
    "roughly": ("about", "around", "approximately"),
    "halved": ("cut in half", "reduced by half"),
    "rewrite": ("rebuild", "overhaul", "re-implementation"),
    "rewrote": ("rebuilt", "overhauled", "re-implemented"),
    "automated": ("scripted", "mechanised"),
    "enjoy": ("love", "like", "appreciate"),
    "focused": ("concentrated", "centred"),
    "building": ("creating", "developing", "constructing"),
    "years": ("yrs", "years'"),
    "software": ("applications", "systems", "programs"),
    "systems": ("platforms", "services"),
    "companies": ("firms", "businesses", "organisations"),
    "tests": ("test cases", "checks"),
    "documentation": ("docs", "written guides"),
    "production": ("prod", "live"),
    "feature": ("capability", "functionality"),
    "customers": ("clients", "users"),
    "database": ("data store", "DB"),
    "dashboards": ("panels", "views"),
    "alerts": ("alarms", "notifications"),
    "support": ("help desk", "customer care"),
    "release": ("deployment", "rollout"),
    "weekly": ("every week", "once a week"),
    "monthly": ("every month", "once a month"),
    "small": ("compact", "lean"),
    "large": ("big", "sizeable"),
    "fast": ("quick", "rapid"),
    "clear": ("plain", "readable"),
}
_WORD = re.compile(r"\b(" + "|".join(sorted(SYNONYMS, key=len, reverse=True)) + r")\b",
                   re.IGNORECASE)
_NUMBER = re.compile(r"\b\d{1,3}(?:[.,]\d+)?\b")
_BULLET = re.compile(r"^\s*(?:[-•*]\s+)")
# Stock openings a rewriter varies: (pattern, replacements)
OPENINGS = (
    (re.compile(r"^(\s*[-•*]?\s*)Responsible for ", re.M), ("Owned ", "In charge of ")),
    (re.compile(r"^(\s*[-•*]?\s*)Worked on ", re.M), ("Contributed to ", "Took part in ")),
)


def paraphrase(text: str, rng: random.Random, *, strength: float = 0.7) -> str:
    """The text reworded: each known word swapped with probability `strength`, numbers
    changed, bullets of each list reordered (one sometimes dropped). Lines that are not
    bullets keep their place (headings, the career's dates)."""
    text = _reorder_bullets(text, rng)
    text = _WORD.sub(lambda m: _swap(m.group(0), rng, strength), text)
    text = _NUMBER.sub(lambda m: _renumber(m.group(0), rng), text)
    for pattern, options in OPENINGS:
        text = pattern.sub(lambda m: m.group(1) + rng.choice(options), text)
    return text


def _swap(word: str, rng: random.Random, strength: float) -> str:
    if rng.random() >= strength:
        return word
    replacement = rng.choice(SYNONYMS[word.lower()])
    return replacement[0].upper() + replacement[1:] if word[0].isupper() else replacement


def _renumber(number: str, rng: random.Random) -> str:
    # Years in headings ("2019", four digits) never match: only 1-3 digit figures change.
    if not number.replace(".", "").replace(",", "").isdigit():
        return number
    value = int(number.split(".")[0].split(",")[0])
    return str(max(1, round(value * rng.uniform(0.6, 1.5))))


def _reorder_bullets(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    out: list[str] = []
    run: list[str] = []

    def flush():
        if len(run) > 2 and rng.random() < 0.5:
            run.pop(rng.randrange(len(run)))  # a bullet left out
        rng.shuffle(run)
        out.extend(run)
        run.clear()

    for line in lines:
        if _BULLET.match(line):
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)
