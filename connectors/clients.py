"""The ATS APIs we call: to fetch what a webhook leaves out, and to write the verdict back.

One small class per ATS over requests; every call has a timeout and raises
requests.RequestException when the ATS is down or answers an error, which the tasks retry
with backoff. The API key is decrypted here, at the call, and never logged.
"""

import base64

import requests
from django.conf import settings

from connectors import crypto
from connectors.models import AtsKind, Connection


class AtsApi:
    def __init__(self, connection: Connection):
        self.base = connection.api_base_url.rstrip("/")
        self.key = crypto.decrypt(connection.api_key_encrypted)
        self.user_id = connection.api_user_id
        self.http = requests.Session()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, f"{self.base}{path}",
                                     timeout=settings.CONNECTORS_HTTP_TIMEOUT,
                                     **self._auth(), **kwargs)
        response.raise_for_status()
        return response.json() if response.content else {}

    def _auth(self) -> dict:
        return {"auth": (self.key, "")}

    def download(self, url: str) -> dict:
        """Headers to send with a resume download from this ATS: the API credentials only
        for a URL on the API's own host (never to a third-party file host); signed URLs
        need none."""
        return {}

    def _on_api_host(self, url: str) -> bool:
        return bool(self.base) and url.startswith(self.base + "/")

    def verdict_write(self, *, ats_candidate_id: str, ats_application_id: str, text: str,
                      level: str) -> None:
        """Write the verdict back: a note everywhere the API allows, and a tag where the
        ATS has them without replacing the recruiter's own."""
        self.note_add(ats_candidate_id, text)

    def note_add(self, ats_candidate_id: str, text: str) -> None:
        raise NotImplementedError


def level_tag(level: str) -> str:
    return f"Vetting risk: {level}"


LEVELS = ("low", "medium", "high", "critical")


class GreenhouseApi(AtsApi):
    """Harvest API: HTTP Basic with the key as user name; writes name the acting user."""

    def note_add(self, ats_candidate_id: str, text: str) -> None:
        self._call("POST", f"/candidates/{ats_candidate_id}/activity_feed/notes",
                   headers={"On-Behalf-Of": self.user_id},
                   json={"user_id": self.user_id, "body": text, "visibility": "admin_only"})

    def verdict_write(self, *, ats_candidate_id: str, ats_application_id: str, text: str,
                      level: str) -> None:
        self.note_add(ats_candidate_id, text)
        if level:
            self.level_tag_set(ats_candidate_id, level)

    def level_tag_set(self, ats_candidate_id: str, level: str) -> None:
        """The candidate carries one "Vetting risk: <level>" tag: the current one is applied
        and any other level's removed. POST /tags/candidate answers the existing tag when
        the name is taken (case-insensitive), so it doubles as a look-up."""
        behalf = {"On-Behalf-Of": self.user_id}
        wanted = self._call("POST", "/tags/candidate", headers=behalf,
                            json={"name": level_tag(level)})
        stale = {level_tag(other).lower() for other in LEVELS if other != level}
        for tag in self._call("GET", f"/candidates/{ats_candidate_id}/tags") or []:
            if str(tag.get("name", "")).lower() in stale:
                self._call("DELETE", f"/candidates/{ats_candidate_id}/tags/{tag['id']}",
                           headers=behalf)
        self._call("PUT", f"/candidates/{ats_candidate_id}/tags/{wanted['id']}",
                   headers=behalf)


class LeverApi(AtsApi):
    """Lever API v1 (https://api.lever.co/v1): HTTP Basic with the key as user name. The
    candidate is an opportunity (Lever's webhooks name it candidateId too); the person
    behind it is a contact."""

    def _perform_as(self) -> dict:
        return {"perform_as": self.user_id} if self.user_id else {}

    def opportunity_get(self, opportunity_id: str) -> dict:
        return self._call("GET", f"/opportunities/{opportunity_id}",
                          params={"expand": ["stage", "applications"]})["data"]

    def contact_get(self, contact_id: str) -> dict:
        return self._call("GET", f"/contacts/{contact_id}")["data"]

    def posting_get(self, posting_id: str) -> dict:
        return self._call("GET", f"/postings/{posting_id}")["data"]

    def resumes_list(self, opportunity_id: str) -> list[dict]:
        return self._call("GET", f"/opportunities/{opportunity_id}/resumes")["data"]

    def files_list(self, opportunity_id: str) -> list[dict]:
        return self._call("GET", f"/opportunities/{opportunity_id}/files")["data"]

    def download(self, url: str) -> dict:
        # Lever's resume and file downloads are API endpoints: they need the key.
        if not self._on_api_host(url):
            return {}
        token = base64.b64encode(f"{self.key}:".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def note_add(self, opportunity_id: str, text: str) -> None:
        self._call("POST", f"/opportunities/{opportunity_id}/notes", params=self._perform_as(),
                   json={"value": text})

    def verdict_write(self, *, ats_candidate_id: str, ats_application_id: str, text: str,
                      level: str) -> None:
        self.note_add(ats_candidate_id, text)
        if level:
            stale = [level_tag(other) for other in LEVELS if other != level]
            self._call("POST", f"/opportunities/{ats_candidate_id}/removeTags",
                       params=self._perform_as(), json={"tags": stale})
            self._call("POST", f"/opportunities/{ats_candidate_id}/addTags",
                       params=self._perform_as(), json={"tags": [level_tag(level)]})


class AshbyApi(AtsApi):
    """Ashby API (https://api.ashbyhq.com): RPC-style POSTs, HTTP Basic with the key as user
    name; every answer carries success and results."""

    def _rpc(self, method: str, body: dict) -> dict:
        data = self._call("POST", f"/{method}", json=body)
        if not data.get("success", False):
            # An error answer with HTTP 200 (e.g. a missing permission): retried like an
            # outage, so that fixing the key's permissions lets the delivery through.
            raise requests.HTTPError(f"Ashby {method} failed: {data.get('errors')}")
        return data

    def candidate_info(self, candidate_id: str) -> dict:
        return self._rpc("candidate.info", {"id": candidate_id})["results"]

    def application_info(self, application_id: str) -> dict:
        return self._rpc("application.info", {"applicationId": application_id})["results"]

    def client_info_list(self, candidate_id: str) -> list[dict]:
        return self._rpc("candidate.listClientInfo", {"candidateId": candidate_id})["results"]

    def file_url(self, handle: str) -> str:
        return self._rpc("file.info", {"fileHandle": handle})["results"]["url"]

    def note_add(self, candidate_id: str, text: str) -> None:
        self._rpc("candidate.createNote", {"candidateId": candidate_id,
                                           "note": {"type": "text/plain", "value": text},
                                           "sendNotifications": False})


class WorkableApi(AtsApi):
    """Workable SPI v3 (https://<subdomain>.workable.com/spi/v3): a bearer token."""

    def _auth(self) -> dict:
        return {"headers": {"Authorization": f"Bearer {self.key}"}}

    def candidate_get(self, candidate_id: str) -> dict:
        return self._call("GET", f"/candidates/{candidate_id}")["candidate"]

    def download(self, url: str) -> dict:
        if not self._on_api_host(url):
            return {}
        return {"Authorization": f"Bearer {self.key}"}

    def note_add(self, candidate_id: str, text: str) -> None:
        self._call("POST", f"/candidates/{candidate_id}/comments",
                   json={"member_id": self.user_id, "comment": {"body": text}})


CLIENTS = {
    AtsKind.GREENHOUSE: GreenhouseApi,
    AtsKind.LEVER: LeverApi,
    AtsKind.ASHBY: AshbyApi,
    AtsKind.WORKABLE: WorkableApi,
}


def api_for(connection: Connection) -> AtsApi:
    return CLIENTS[connection.kind](connection)
