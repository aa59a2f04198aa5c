"""Hardening headers: a strict Content-Security-Policy and Cache-Control: no-store on every
page and API response, for every role; and no inline script or style anywhere that would need
'unsafe-inline' (the browser side is in test_csp_browser.py)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from candidates.models import Integration
from tests.factories import CandidatePayloadFactory
from tests.review.factories import PASSWORD, client_for, ring_make

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def assert_hardened(response, what: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, f"{what}: CSP is {policy!r}"
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, what
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, what
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control, f"{what}: Cache-Control is {cache_control!r}"
    assert "public" not in cache_control, what


def get_all(client: Client, urls: list[str]) -> None:
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert_hardened(response, url)


@pytest.mark.django_db
class TestEveryResponse:
    def test_anonymous(self, db):
        get_all(Client(), ["/login/", "/", "/overview/", "/audit/", "/candidates/1/",
                           "/audit/export.csv", "/no-such-page/", "/admin/", "/admin/login/",
                           "/api/v1/candidates/", "/api/v1/schema/", "/api/v1/docs/",
                           "/api/v1/docs/?script="])

    def test_a_recruiter(self, recruiter, candidate):
        client = client_for(recruiter)
        get_all(client, ["/", "/?view=awaiting_hr", "/?q=dana", f"/candidates/{candidate.pk}/",
                         "/overview/", "/audit/", "/candidates/999999/", "/admin/"])
        response = client.post(f"/candidates/{candidate.pk}/start/")  # a redirect (PRG)
        assert response.status_code == 302
        assert_hardened(response, "start")
        response = client.post(f"/candidates/{candidate.pk}/approve/")  # refused: 403
        assert_hardened(response, "approve refused")

    def test_an_hr_lead(self, hr_lead, candidate):
        get_all(client_for(hr_lead), ["/", f"/candidates/{candidate.pk}/", "/overview/",
                                      "/audit/", f"/audit/?target_id={candidate.pk}",
                                      "/audit/export.csv"])

    def test_an_admin(self, admin_user, candidate):
        client = client_for(admin_user)
        integration = Integration.objects.create(name="ashby")
        get_all(client, ["/", f"/candidates/{candidate.pk}/", "/admin/", "/admin/auth/user/",
                         f"/admin/auth/user/{admin_user.pk}/change/", "/admin/auth/group/",
                         "/admin/core/auditevent/", "/admin/candidates/integration/",
                         f"/admin/candidates/integration/{integration.pk}/change/"])
        response = client.post("/admin/candidates/integration/", {
            "action": "create_api_key", "_selected_action": [integration.pk]})
        assert response.status_code == 200 and "vk_" in response.content.decode()
        assert_hardened(response, "API key shown once")

    def test_the_sign_in_and_its_lockout(self, recruiter):
        client = Client()
        for _ in range(5):
            response = client.post("/login/", {"username": "rita", "password": "wrong"})
        assert response.status_code == 429
        assert_hardened(response, "lockout")
        response = Client().post("/login/", {"username": "hana", "password": PASSWORD})
        assert_hardened(response, "failed sign-in")

    def test_an_api_integration(self, api):
        created = api.post("/api/v1/candidates/", CandidatePayloadFactory(), format="json")
        assert created.status_code == 201
        assert_hardened(created, "create")
        pk = created.json()["id"]
        for url in ["/api/v1/candidates/", f"/api/v1/candidates/{pk}/",
                    "/api/v1/candidates/?risk_level=high", "/api/v1/whoami/",
                    "/api/v1/candidates/999999/"]:
            assert_hardened(api.get(url), url)
        invalid = api.post("/api/v1/candidates/", {"nope": 1}, format="json")
        assert invalid.status_code == 400
        assert_hardened(invalid, "400")

    def test_static_files_keep_their_cache_lifetime(self, db):
        # Served by WhiteNoise before the no-store rule: CSS and scripts carry no applicant
        # data, and caching them is what keeps the pages fast.
        response = Client().get("/static/review/app.css")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


# Inline script (a <script> without src, or an on...= handler), inline style (a <style> block
# or a style= attribute) and javascript: URLs all need 'unsafe-inline' or a nonce.
INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on...= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def inline_found(text: str) -> list[str]:
    return [what for pattern, what in INLINE if pattern.search(text)]


class TestNoInlineScriptOrStyle:
    def test_no_template_has_inline_script_or_style(self):
        templates = sorted(TEMPLATES.rglob("*.html"))
        assert len(templates) > 10
        found = {str(path.relative_to(TEMPLATES)): inline_found(path.read_text())
                 for path in templates}
        assert {path: what for path, what in found.items() if what} == {}

    def test_the_checker_finds_each_kind(self):
        for sample in ['<script>alert(1)</script>', '<style>p{}</style>',
                       '<code style="font-size:1.2em">', '<a onclick="x()">',
                       '<a href="javascript:x()">']:
            assert inline_found(sample), sample
        assert not inline_found('<script src="/static/review/app.js" defer></script>')

    @pytest.mark.django_db
    def test_the_rendered_pages_have_none_either(self, hr_lead, candidate):
        # The graph and the charts are SVG written in Python, outside the templates.
        ring = ring_make(3)
        client = client_for(hr_lead)
        for url in ["/", f"/candidates/{candidate.pk}/", f"/candidates/{ring[0].pk}/",
                    "/overview/", "/audit/", "/login/"]:
            page = client.get(url).content.decode()
            assert inline_found(page) == [], url
        assert "<svg" in client.get(f"/candidates/{ring[0].pk}/").content.decode()
