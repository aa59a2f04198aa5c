"""Each ATS's webhook (and, where it is thin, its API) mapped onto the candidate contract.

A mapper returns a Mapped: what to do (upsert, move the stage, mark hired, erase, ignore),
the ATS's ids, and the raw CandidateInput data (validated by the caller with the same
serializer as /api/v1/candidates/). It raises Unmappable when the payload lacks what the
mapping needs; API calls raise requests.RequestException, which the task retries.
"""

from dataclasses import dataclass, field
from urllib.parse import urlparse

from candidates import normalize

UPSERT, STAGE, HIRE, ERASE, MERGE, IGNORE = "upsert", "stage", "hire", "erase", "merge", "ignore"


class Unmappable(Exception):
    pass


@dataclass
class Resume:
    url: str
    filename: str = ""


@dataclass
class Mapped:
    action: str
    ats_candidate_id: str = ""
    ats_application_id: str = ""
    data: dict = field(default_factory=dict)  # CandidateInput's raw data, for UPSERT
    stage: str = ""
    source: str = ""
    job: str = ""
    resume: Resume | None = None
    # Every email and phone with its type, as the ATS gave them (the contract takes one each).
    contacts: dict = field(default_factory=dict)
    merged_from: str = ""


def network_of(url: str) -> str:
    """github, linkedin, gitlab, stackoverflow or portfolio, from the link's host."""
    host = urlparse(url if "//" in url else f"https://{url}").netloc.lower()
    for network in ("github", "linkedin", "gitlab", "stackoverflow"):
        if f"{network}.com" in host:
            return network
    return "portfolio"


def profiles_of(urls: list[str]) -> list[dict]:
    """Profile inputs for the links the contract can normalise; the others are left out
    (one malformed link must not lose the applicant)."""
    profiles, seen = [], set()
    for url in urls:
        url = (url or "").strip()
        if not url:
            continue
        network = network_of(url)
        try:
            normalize.canonical_profile(network, url)
        except ValueError:
            continue
        if (network, url) not in seen:
            seen.add((network, url))
            profiles.append({"network": network, "url": url})
    return profiles


def address_of(text: str, kind: str = "residential") -> dict | None:
    """A free-text address ("455 Broadway, New York, NY 10280, US") as an AddressInput when
    its last part names a country; without a country the contract cannot match it."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if len(parts) < 2:
        return None
    try:
        country = normalize.country_code(parts[-1])
    except ValueError:
        return None
    return {"kind": kind, "line1": parts[0], "city": parts[1] if len(parts) > 2 else "",
            "line2": "", "region": "", "postal_code": "", "country": country}


def _first(items: list[dict], preferred: tuple[str, ...] = ()) -> str:
    for kind in preferred:
        for item in items:
            if item.get("type") == kind and item.get("value"):
                return item["value"]
    return next((item["value"] for item in items if item.get("value")), "")


# --- Greenhouse ---------------------------------------------------------------------------

GREENHOUSE_EVENTS = {
    "new_candidate_application": UPSERT,
    "application_updated": UPSERT,
    "update_candidate": UPSERT,
    "candidate_stage_change": STAGE,
    "offer_created": IGNORE,
    "hire_candidate": HIRE,
    "delete_candidate": ERASE,
    "candidate_anonymized": ERASE,
    "merge_candidate": MERGE,
}


def greenhouse(event: str, body: dict, api) -> Mapped:
    """Greenhouse's application webhooks carry the whole candidate: no API call needed.
    The resume is the attachment of type "resume" (a signed URL valid for 7 days)."""
    action = GREENHOUSE_EVENTS.get(event, IGNORE)
    payload = body.get("payload") or {}
    if action == ERASE:
        candidate = payload.get("candidate") or payload.get("person") or {}
        ats_id = candidate.get("id") or payload.get("candidate_id")
        if not ats_id:
            raise Unmappable("no candidate id in the payload")
        return Mapped(action=ERASE, ats_candidate_id=str(ats_id))
    if action == MERGE:
        primary = payload.get("primary_candidate_id") or (payload.get("candidate") or {}).get("id")
        duplicate = payload.get("duplicate_candidate_id")
        if not primary or not duplicate:
            raise Unmappable("merge_candidate without both candidate ids")
        return Mapped(action=MERGE, ats_candidate_id=str(primary), merged_from=str(duplicate))
    if action == IGNORE:
        return Mapped(action=IGNORE)

    application = payload.get("application") or {}
    candidate = application.get("candidate") or payload.get("candidate") or {}
    if not application and candidate.get("applications"):
        application = candidate["applications"][0]
    if not candidate.get("id"):
        raise Unmappable("no candidate in the payload")
    emails = candidate.get("email_addresses") or []
    email = _first(emails, ("personal", "other", "work"))
    if not email:
        raise Unmappable("the candidate has no email address")
    phones = candidate.get("phone_numbers") or []
    name = " ".join(p for p in (candidate.get("first_name"), candidate.get("last_name")) if p)
    jobs = application.get("jobs") or []
    job = jobs[0].get("name", "") if jobs else ""
    source = application.get("source") or {}
    links = [w.get("value", "") for w in candidate.get("website_addresses") or []]
    links += [s.get("value", "") for s in candidate.get("social_media_addresses") or []]
    addresses = [a for a in (address_of(x.get("value", ""), "mailing" if x.get("type") == "work"
                                        else "residential")
                             for x in candidate.get("addresses") or []) if a]
    attachments = candidate.get("attachments") or application.get("attachments") or []
    resume = next((Resume(url=a["url"], filename=a.get("filename", ""))
                   for a in attachments if a.get("type") == "resume" and a.get("url")), None)
    stage = (application.get("current_stage") or {}).get("name", "")
    return Mapped(
        action=action,
        ats_candidate_id=str(candidate["id"]),
        ats_application_id=str(application.get("id") or ""),
        data={
            "full_name": name or email,
            "email": email,
            "phone": _first(phones, ("mobile", "home", "other", "work")),
            "position": job,
            "applied_at": application.get("applied_at"),
            "profiles": profiles_of(links),
            "addresses": addresses,
        },
        stage=stage,
        source=source.get("public_name") or source.get("name") or "",
        job=job,
        resume=resume,
        contacts={"emails": [{"value": e.get("value"), "type": e.get("type")} for e in emails],
                  "phones": [{"value": p.get("value"), "type": p.get("type")} for p in phones]},
    )


MAPPERS = {"greenhouse": greenhouse}
KNOWN = {"greenhouse": set(GREENHOUSE_EVENTS)}
