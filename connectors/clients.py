"""The ATS APIs we call: to fetch what a webhook leaves out, and to write the verdict back.

One small class per ATS over requests; every call has a timeout and raises
requests.RequestException when the ATS is down or answers an error, which the tasks retry
with backoff. The API key is decrypted here, at the call, and never logged.
"""

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
        """Headers to send with a resume download from this ATS (none: signed URLs)."""
        return {}


class GreenhouseApi(AtsApi):
    """Harvest API: HTTP Basic with the key as user name; writes name the acting user."""

    def note_add(self, ats_candidate_id: str, text: str) -> None:
        self._call("POST", f"/candidates/{ats_candidate_id}/activity_feed/notes",
                   headers={"On-Behalf-Of": self.user_id},
                   json={"user_id": self.user_id, "body": text, "visibility": "admin_only"})


class LeverApi(AtsApi):
    """Lever API v1: HTTP Basic with the key as user name."""

    def opportunity_get(self, opportunity_id: str) -> dict:
        return self._call("GET", f"/opportunities/{opportunity_id}",
                          params={"expand": ["contact", "stage", "applications"]})["data"]

    def resumes_list(self, opportunity_id: str) -> list[dict]:
        return self._call("GET", f"/opportunities/{opportunity_id}/resumes")["data"]

    def resume_url(self, opportunity_id: str, resume_id: str) -> str:
        return f"{self.base}/opportunities/{opportunity_id}/resumes/{resume_id}/download"

    def note_add(self, opportunity_id: str, text: str) -> None:
        self._call("POST", f"/opportunities/{opportunity_id}/notes", json={"value": text})

    def tags_add(self, opportunity_id: str, tags: list[str]) -> None:
        self._call("POST", f"/opportunities/{opportunity_id}/addTags", json={"tags": tags})

    def download_auth(self) -> tuple[str, str]:
        return (self.key, "")


class AshbyApi(AtsApi):
    """Ashby API: RPC-style POSTs, HTTP Basic with the key as user name."""

    def _rpc(self, method: str, body: dict) -> dict:
        data = self._call("POST", f"/{method}", json=body)
        if not data.get("success", False):
            raise requests.HTTPError(f"Ashby {method} failed: {data.get('errors')}")
        return data

    def candidate_info(self, candidate_id: str) -> dict:
        return self._rpc("candidate.info", {"id": candidate_id})["results"]

    def client_info_list(self, candidate_id: str) -> list[dict]:
        return self._rpc("candidate.listClientInfo", {"candidateId": candidate_id})["results"]

    def file_url(self, handle: str) -> str:
        return self._rpc("file.info", {"fileHandle": handle})["results"]["url"]

    def note_add(self, candidate_id: str, text: str) -> None:
        self._rpc("candidate.createNote", {"candidateId": candidate_id, "note": text})


class WorkableApi(AtsApi):
    """Workable SPI v3: a bearer token."""

    def _auth(self) -> dict:
        return {"headers": {"Authorization": f"Bearer {self.key}"}}

    def candidate_get(self, candidate_id: str) -> dict:
        return self._call("GET", f"/candidates/{candidate_id}")["candidate"]

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
