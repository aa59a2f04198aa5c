"""Each ATS's webhook (and, where it is thin, its API) mapped onto the candidate contract.

A mapper returns a Mapped: what to do (upsert, move the stage, mark hired, erase, ignore),
the ATS's ids, and the raw CandidateInput data (validated by the caller with the same
serializer as /api/v1/candidates/). It raises Unmappable when the payload lacks what the
mapping needs; API calls raise requests.RequestException, which the task retries.
"""

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

import pycountry

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


def country_of(name: str) -> str:
    """An ISO alpha-2 code from a code or a country's name ("US", "United States"); ""
    when it names no country."""
    name = (name or "").strip()
    if not name:
        return ""
    try:
        return normalize.country_code(name)
    except ValueError:
        pass
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return ""


def location_of(text: str) -> dict | None:
    """A free-text location ("Oakland, CA, US") as a LocationInput when its last part names
    a country; a city alone ("Oakland") says too little to compare with IPs and phones."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    country = country_of(parts[-1]) if len(parts) >= 2 else ""
    if not country:
        return None
    return {"country": country, "city": parts[0][:100],
            "region": parts[1][:100] if len(parts) > 2 else ""}


def ips_of(records: list[dict], *, source: str = "application") -> list[dict]:
    """IpInputs for the single addresses among `records` (ip, observed_at); anything else
    is left out rather than refusing the applicant."""
    ips, seen = [], set()
    for record in records:
        try:
            ip = str(ipaddress.ip_address(str(record.get("ip") or "").strip()))
        except ValueError:
            continue
        if ip not in seen:
            seen.add(ip)
            ips.append({"ip": ip, "source": source, "observed_at": record.get("observed_at")})
    return ips


def _from_millis(value) -> str | None:
    """Lever's timestamps are milliseconds since the epoch."""
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()


def _unique(values) -> list[str]:
    out = []
    for value in values:
        value = (value or "").strip()
        if value and value not in out:
            out.append(value)
    return out


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


# --- Lever -------------------------------------------------------------------------------

LEVER_EVENTS = {
    "applicationCreated": UPSERT,
    "candidateStageChange": STAGE,
    "candidateHired": HIRE,
    "candidateDeleted": ERASE,
}
RESUME_EXTENSIONS = ("pdf", "docx")


def lever(event: str, body: dict, api) -> Mapped:
    """Lever's webhooks carry ids only: the opportunity (Lever's candidate; the webhook also
    calls it candidateId) and the contact (the person) are fetched, and the resume comes
    from the opportunity's resumes, else its files."""
    action = LEVER_EVENTS.get(event, IGNORE)
    if action == IGNORE:
        return Mapped(action=IGNORE)
    data = body.get("data") or {}
    opportunity_id = data.get("opportunityId") or data.get("candidateId")
    if not opportunity_id:
        raise Unmappable("no opportunityId in the payload")
    if action == ERASE:
        return Mapped(action=ERASE, ats_candidate_id=str(opportunity_id))

    opportunity = api.opportunity_get(opportunity_id)
    contact_ref = opportunity.get("contact") or data.get("contactId")
    contact = contact_ref if isinstance(contact_ref, dict) else (
        api.contact_get(contact_ref) if contact_ref else {})
    emails = _unique([*(contact.get("emails") or []), *(opportunity.get("emails") or [])])
    if not emails:
        raise Unmappable("the opportunity has no email address")
    phones = [p for p in (contact.get("phones") or opportunity.get("phones") or [])
              if p.get("value")]
    location = (contact.get("location") or {}).get("name") or opportunity.get("location") or ""
    applications = [a for a in opportunity.get("applications") or [] if isinstance(a, dict)]
    application = next((a for a in applications if a.get("id") == data.get("applicationId")),
                       applications[0] if applications else {})
    job = ""
    if application.get("posting"):
        job = api.posting_get(application["posting"]).get("text", "")
    stage = opportunity.get("stage")
    sources = opportunity.get("sources") or []
    return Mapped(
        action=action,
        ats_candidate_id=str(opportunity_id),
        ats_application_id=str(application.get("id") or data.get("applicationId") or ""),
        data={
            "full_name": contact.get("name") or opportunity.get("name") or emails[0],
            "email": emails[0],
            "phone": _first(phones, ("mobile", "home", "other", "work")),
            "position": job,
            "applied_at": _from_millis(opportunity.get("createdAt")),
            "location": location_of(location),
            "profiles": profiles_of(opportunity.get("links") or []),
        },
        stage=stage.get("text", "") if isinstance(stage, dict) else "",
        source=sources[0] if sources else (opportunity.get("origin") or ""),
        job=job,
        resume=_lever_resume(api, opportunity_id),
        contacts={"emails": [{"value": e, "type": ""} for e in emails],
                  "phones": [{"value": p["value"], "type": p.get("type", "")} for p in phones],
                  "location": location, "contact_id": str(contact.get("id") or "")},
    )


def _lever_resume(api, opportunity_id: str) -> Resume | None:
    """The newest resume that is a PDF or DOCX, else the newest such file."""
    def newest(items, file_of):
        readable = [i for i in items
                    if (file_of(i).get("ext") or "").lower().lstrip(".") in RESUME_EXTENSIONS
                    and file_of(i).get("downloadUrl")]
        readable.sort(key=lambda i: file_of(i).get("uploadedAt") or 0, reverse=True)
        if not readable:
            return None
        chosen = file_of(readable[0])
        return Resume(url=chosen["downloadUrl"], filename=chosen.get("name", ""))

    return (newest(api.resumes_list(opportunity_id), lambda r: r.get("file") or {})
            or newest(api.files_list(opportunity_id), lambda f: f))


# --- Ashby -------------------------------------------------------------------------------

ASHBY_EVENTS = {
    "applicationSubmit": UPSERT,
    "candidateStageChange": STAGE,
    "candidateHire": HIRE,
    # An offer moves the application to its offer stage; the payload names the application
    # only, so it is fetched (application.info) for its candidate and stage.
    "offerCreate": STAGE,
}


def ashby(event: str, body: dict, api) -> Mapped:
    """Ashby's application webhooks carry the application with a summary of the candidate;
    the candidate is fetched whole (candidate.info), with the IP addresses and user agents
    Ashby recorded when they applied (candidate.listClientInfo), and the resume's file
    handle is turned into a download URL (file.info)."""
    action = ASHBY_EVENTS.get(event, IGNORE)
    if action == IGNORE:
        return Mapped(action=IGNORE)
    data = body.get("data") or {}
    application = data.get("application") or {}
    if event == "offerCreate":
        application_id = (data.get("offer") or {}).get("applicationId")
        if not application_id:
            raise Unmappable("offerCreate without an applicationId")
        application = api.application_info(application_id)
    candidate_id = (application.get("candidate") or {}).get("id")
    if not candidate_id:
        raise Unmappable("no candidate in the application")
    candidate = api.candidate_info(candidate_id)
    emails = candidate.get("emailAddresses") or [
        e for e in [candidate.get("primaryEmailAddress")] if e]
    primary = (candidate.get("primaryEmailAddress") or {}).get("value") or _first(emails)
    if not primary:
        raise Unmappable("the candidate has no email address")
    phones = candidate.get("phoneNumbers") or [
        p for p in [candidate.get("primaryPhoneNumber")] if p]
    clients = api.client_info_list(candidate_id)
    location = _ashby_location(candidate.get("primaryLocation") or candidate.get("location"))
    handle = (candidate.get("resumeFileHandle") or {})
    resume = (Resume(url=api.file_url(handle["handle"]), filename=handle.get("name", ""))
              if handle.get("handle") else None)
    return Mapped(
        action=action,
        ats_candidate_id=str(candidate_id),
        ats_application_id=str(application.get("id") or ""),
        data={
            "full_name": candidate.get("name") or primary,
            "email": primary,
            "phone": (candidate.get("primaryPhoneNumber") or {}).get("value")
            or _first(phones),
            "position": (application.get("job") or {}).get("title", ""),
            "applied_at": application.get("createdAt"),
            "location": location,
            "profiles": profiles_of([link.get("url", "") for link in
                                     candidate.get("socialLinks") or []]),
            "ip_addresses": ips_of([{"ip": c.get("ipAddress"), "observed_at": c.get("createdAt")}
                                    for c in clients]),
        },
        stage=(application.get("currentInterviewStage") or {}).get("title", ""),
        source=(application.get("source") or {}).get("title", ""),
        job=(application.get("job") or {}).get("title", ""),
        resume=resume,
        contacts={"emails": [{"value": e.get("value"), "type": e.get("type", "")} for e in emails],
                  "phones": [{"value": p.get("value"), "type": p.get("type", "")} for p in phones],
                  "user_agents": _unique(c.get("userAgent") for c in clients)},
    )


def _ashby_location(location: dict | None) -> dict | None:
    components = {c.get("type"): c.get("name", "") for c in
                  (location or {}).get("locationComponents") or []}
    country = country_of(components.get("Country", ""))
    if not country:
        return None
    return {"country": country, "region": components.get("Region", "")[:100],
            "city": components.get("City", "")[:100]}


# --- Workable ----------------------------------------------------------------------------

WORKABLE_EVENTS = {"candidate_created": UPSERT, "candidate_moved": STAGE}
# What the mapping reads; a webhook lacking any of them is completed from the API.
WORKABLE_FIELDS = ("email", "name", "social_profiles", "resume_url", "job", "stage")


def workable(event: str, body: dict, api) -> Mapped:
    """Workable posts the candidate as the candidate details endpoint shows it; when a field
    the mapping reads is missing, the candidate is fetched (GET /candidates/:id)."""
    action = WORKABLE_EVENTS.get(event, IGNORE)
    if action == IGNORE:
        return Mapped(action=IGNORE)
    candidate = body.get("data") or {}
    candidate_id = candidate.get("id")
    if not candidate_id:
        raise Unmappable("no candidate id in the payload")
    if any(name not in candidate for name in WORKABLE_FIELDS):
        candidate = {**candidate, **api.candidate_get(candidate_id)}
    email = (candidate.get("email") or "").strip()
    if not email:
        raise Unmappable("the candidate has no email address")
    place = candidate.get("location") or {}
    country = country_of(place.get("country_code") or place.get("country") or "")
    location = ({"country": country, "region": (place.get("region") or "")[:100],
                 "city": (place.get("city") or "")[:100]} if country else None)
    address = address_of(candidate.get("address") or "")
    job = (candidate.get("job") or {}).get("title", "")
    name = candidate.get("name") or " ".join(
        p for p in (candidate.get("firstname"), candidate.get("lastname")) if p)
    resume_url = candidate.get("resume_url") or ""
    return Mapped(
        action=action,
        ats_candidate_id=str(candidate_id),
        data={
            "full_name": name or email,
            "email": email,
            "phone": candidate.get("phone") or "",
            "position": job,
            "applied_at": candidate.get("created_at"),
            "location": location,
            "profiles": profiles_of([p.get("url", "") for p in
                                     candidate.get("social_profiles") or []]),
            "addresses": [address] if address else [],
        },
        stage=candidate.get("stage") or "",
        source=candidate.get("domain") or ("Sourced" if candidate.get("sourced") else ""),
        job=job,
        resume=Resume(url=resume_url) if resume_url else None,
        contacts={"emails": [{"value": email, "type": ""}],
                  "phones": [{"value": candidate["phone"], "type": ""}]
                  if candidate.get("phone") else []},
    )


MAPPERS = {"greenhouse": greenhouse, "lever": lever, "ashby": ashby, "workable": workable}
KNOWN = {"greenhouse": set(GREENHOUSE_EVENTS), "lever": set(LEVER_EVENTS),
         "ashby": set(ASHBY_EVENTS), "workable": set(WORKABLE_EVENTS)}
