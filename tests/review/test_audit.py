"""The audit trail: append-only at every layer, recording role and weight changes and data
imports, readable by HR leads, exportable as CSV."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.services import candidate_erase
from core.audit import (
    AuditEvent,
    AuditImmutable,
    audit_actor,
    audit_data_import,
    audit_record,
)
from review import roles
from review.selectors import audit_base, audit_export_events
from signals.models import FlagWeight
from tests.review.factories import candidate_make, client_for, user_make


@pytest.fixture
def event(db):
    return audit_record(actor="tester", action="test.thing", target_type="thing", target_id=7,
                        before={"a": 1}, after={"a": 2})


@pytest.mark.django_db
class TestAppendOnly:
    def test_it_records_who_what_before_and_after(self, event):
        stored = AuditEvent.objects.get(pk=event.pk)
        assert (stored.actor_label, stored.action, stored.target_type, stored.target_id) == (
            "tester", "test.thing", "thing", "7")
        assert (stored.before, stored.after) == ({"a": 1}, {"a": 2})
        assert stored.created_at is not None

    def test_the_model_refuses_changes_and_deletes(self, event):
        event.action = "test.other"
        with pytest.raises(AuditImmutable):
            event.save()
        with pytest.raises(AuditImmutable):
            event.delete()

    def test_the_queryset_refuses_updates_and_deletes(self, event):
        with pytest.raises(AuditImmutable):
            AuditEvent.objects.filter(pk=event.pk).update(action="x")
        with pytest.raises(AuditImmutable):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(AuditImmutable):
            AuditEvent.objects.bulk_update([event], ["action"])

    @pytest.mark.parametrize("sql", [
        "UPDATE vetting_auditevent SET action = 'forged'",
        "DELETE FROM vetting_auditevent",
    ])
    def test_the_database_refuses_updates_and_deletes(self, event, sql):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
        assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"

    def test_deleting_a_user_keeps_their_history(self, db):
        user = user_make("leaver", roles.RECRUITER)
        audit_record(actor=user, action="test.by_user", target_type="x", target_id=1)
        user_id = user.pk
        user.delete()
        event = AuditEvent.objects.get(action="test.by_user")
        assert event.actor_label == "leaver"
        assert AuditEvent.objects.filter(action="user.delete", target_id=str(user_id)).exists()

    def test_the_admin_shows_events_read_only(self, event, admin_user):
        client = client_for(admin_user)
        change = reverse("admin:core_auditevent_change", args=[event.pk])
        page = client.get(change)
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert client.post(change, {"action": "forged"}).status_code == 403
        delete = reverse("admin:core_auditevent_delete", args=[event.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
        assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"

    def test_values_are_stored_as_plain_json(self, db):
        import datetime
        import decimal

        stored = audit_record(actor=None, action="t", target_type="t", target_id="x",
                              after={"when": datetime.date(2026, 1, 2),
                                     "amount": decimal.Decimal("1.50")})
        assert AuditEvent.objects.get(pk=stored.pk).after == {"when": "2026-01-02",
                                                              "amount": "1.50"}


@pytest.mark.django_db
class TestWhatIsRecorded:
    def test_group_changes_from_either_side(self, admin_user):
        user = user_make("target", None)
        group = Group.objects.get(name=roles.HR_LEAD)
        with audit_actor(admin_user):
            user.groups.add(group)
            group.user_set.remove(user)
            user.groups.add(group)
            user.groups.clear()
        events = list(AuditEvent.objects.filter(action__startswith="role.")
                      .order_by("id").values_list("action", "actor_label", "after"))
        assert [(a, who) for a, who, _ in events] == [
            ("role.grant", "ada"), ("role.revoke", "ada"), ("role.grant", "ada"),
            ("role.revoke", "ada")]
        assert events[0][2] == {"username": "target", "groups": ["hr_lead"]}
        assert events[-1][2] == {"username": "target", "groups": []}

    def test_adding_a_group_a_user_already_has_records_nothing(self):
        user = user_make("steady", roles.RECRUITER)
        count = AuditEvent.objects.count()
        user.groups.add(Group.objects.get(name=roles.RECRUITER))
        assert AuditEvent.objects.count() == count

    def test_role_changes_in_the_admin_are_attributed_to_the_admin(self, admin_user):
        user = user_make("promoted", roles.RECRUITER)
        hr_group = Group.objects.get(name=roles.HR_LEAD)
        client = client_for(admin_user)
        response = client.post(reverse("admin:auth_user_change", args=[user.pk]), {
            "username": "promoted", "password": user.password, "is_active": "on",
            "groups": [hr_group.pk], "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        })
        assert response.status_code == 302, response.content[:2000]
        events = AuditEvent.objects.filter(target_type="user", target_id=str(user.pk),
                                           action__startswith="role.", actor_label="ada")
        assert {e.action for e in events} == {"role.grant", "role.revoke"}

    def test_weight_changes_in_the_admin(self, admin_user):
        weight = FlagWeight.objects.get(code="reuse.phone")
        client = client_for(admin_user)
        response = client.post(reverse("admin:signals_flagweight_change", args=[weight.pk]),
                               {"code": weight.code, "points": 50, "enabled": "on"})
        assert response.status_code == 302, response.content[:2000]
        event = AuditEvent.objects.get(action="weights.change")
        assert event.actor == admin_user
        assert event.target_type == "signals.flagweight"
        assert event.before["points"] == 35 and event.after["points"] == 50

    def test_weights_cannot_be_added_or_deleted_in_the_admin(self, admin_user):
        client = client_for(admin_user)
        weight = FlagWeight.objects.get(code="reuse.phone")
        assert client.get(reverse("admin:signals_flagweight_add")).status_code == 403
        delete = reverse("admin:signals_flagweight_delete", args=[weight.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403

    def test_data_imports(self, db):
        audit_data_import(actor="import:ofac", source="ofac-sdn",
                          summary={"file": "sdn.csv", "rows": 1234})
        event = AuditEvent.objects.get(action="data.import")
        assert (event.actor_label, event.target_id, event.after["rows"]) == (
            "import:ofac", "ofac-sdn", 1234)

    def test_sign_ins(self, recruiter):
        from tests.review.factories import PASSWORD

        client = client_for(None)
        client.post(reverse("review:login"), {"username": "rita", "password": PASSWORD})
        event = AuditEvent.objects.get(action="auth.login")
        assert event.actor == recruiter


@pytest.mark.django_db
class TestAuditPages:
    def test_hr_leads_read_it_newest_first(self, hr_lead, event):
        audit_record(actor="later", action="test.later", target_type="thing", target_id=8)
        page = client_for(hr_lead).get(reverse("review:audit")).content.decode()
        assert page.index("test.later") < page.index("test.thing")

    def test_it_filters_by_action_and_target(self, hr_lead, event):
        audit_record(actor="x", action="review.escalate", target_type="candidate",
                     target_id=42)
        client = client_for(hr_lead)
        page = client.get(reverse("review:audit"), {"action": "review."}).content.decode()
        assert "review.escalate" in page and "test.thing" not in page
        page = client.get(reverse("review:audit"),
                          {"target_type": "candidate", "target_id": "42"}).content.decode()
        assert "review.escalate" in page and "test.thing" not in page

    def test_it_pages_by_id(self, hr_lead):
        for i in range(105):
            audit_record(actor="bulk", action=f"test.n{i:03d}", target_type="t", target_id=i)
        client = client_for(hr_lead)
        first = client.get(reverse("review:audit"))
        assert "test.n104" in first.content.decode()
        assert "test.n004" not in first.content.decode()
        older = client.get(reverse("review:audit"), {"before": first.context["next_before"]})
        assert "test.n004" in older.content.decode()

    def test_csv_export(self, hr_lead, event):
        audit_record(actor="=HYPERLINK(\"http://evil\")", action="test.csv", target_type="t",
                     target_id=1, after={"note": "ok"})
        response = client_for(hr_lead).get(reverse("review:audit_export"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0] == ["id", "created_at", "actor", "action", "target_type", "target_id",
                           "before", "after", "candidate_name", "candidate_external_id"]
        by_action = {row[3]: row for row in rows[1:]}
        assert by_action["test.thing"][6:8] == ['{"a": 1}', '{"a": 2}']
        # A formula in a cell is neutralised for spreadsheets.
        assert by_action["test.csv"][2].startswith("'=")
        # The export itself is on the record.
        assert AuditEvent.objects.filter(action="audit.export", actor=hr_lead).exists()

    def test_csv_export_follows_the_filters(self, hr_lead, event):
        audit_record(actor="x", action="review.clear", target_type="candidate", target_id=1)
        response = client_for(hr_lead).get(reverse("review:audit_export"),
                                           {"action": "review."})
        body = b"".join(response.streaming_content).decode()
        assert "review.clear" in body and "test.thing" not in body

    def test_there_is_no_way_to_edit_it_from_the_ui(self, hr_lead, event):
        client = client_for(hr_lead)
        assert client.post(reverse("review:audit"), {"action": "x"}).status_code == 405
        assert client.post(reverse("review:audit_export")).status_code == 405


@pytest.mark.django_db
class TestAuditNamesTheCandidates:
    """HR leads read who a decision was about, not "candidate 116"."""

    @pytest.fixture
    def people(self):
        jane = candidate_make("Jane Roe")
        gone = candidate_make("Gone Person")
        candidate_erase(candidate_id=gone.pk)
        events = [
            audit_record(actor="rita", action="review.start", target_type="candidate",
                         target_id=jane.pk),
            audit_record(actor="sync", action="connector.write_back",
                         target_type="candidates.candidate", target_id=jane.pk),
            audit_record(actor="rita", action="review.clear", target_type="candidate",
                         target_id=gone.pk),
            audit_record(actor="rita", action="review.clear", target_type="candidate",
                         target_id=99999999),  # the row is gone altogether
            audit_record(actor="admin", action="role.change", target_type="user",
                         target_id=jane.pk),  # the same number, not a candidate
        ]
        return jane, gone, events

    def test_the_page_shows_names_and_ats_ids_in_one_query(self, hr_lead, people):
        jane, gone, _ = people
        client = client_for(hr_lead)
        client.get(reverse("review:audit"))  # warm the session and the user
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("review:audit")).content.decode()
        candidate_reads = [q for q in queries if 'FROM "candidates_candidate"' in q["sql"]]
        assert len(candidate_reads) == 1
        assert page.count("Jane Roe") == 2 and page.count(jane.external_id) == 2
        assert page.count("erased candidate") == 2
        assert "Gone Person" not in page and gone.external_id not in page
        assert f"candidate {jane.pk}" not in page
        assert f"user {jane.pk}" in page  # other targets stay as they were
        assert f'href="{reverse("review:candidate", args=[jane.pk])}"' in page

    def test_the_csv_export_has_the_candidate_columns(self, hr_lead, people):
        jane, gone, events = people
        audit_record(actor="x", action="test.formula", target_type="candidate",
                     target_id=candidate_make("=cmd|' /C calc'!A0").pk)
        response = client_for(hr_lead).get(reverse("review:audit_export"))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][-2:] == ["candidate_name", "candidate_external_id"]
        by_id = {row[0]: row for row in rows[1:]}
        assert by_id[str(events[0].pk)][-2:] == ["Jane Roe", jane.external_id]
        assert by_id[str(events[1].pk)][-2:] == ["Jane Roe", jane.external_id]
        assert by_id[str(events[2].pk)][-2:] == ["erased candidate", ""]
        assert by_id[str(events[3].pk)][-2:] == ["erased candidate", ""]
        assert by_id[str(events[4].pk)][-2:] == ["", ""]
        formula = next(row for row in rows[1:] if row[3] == "test.formula")
        assert formula[-2].startswith("'=")  # the formula guard covers the new cells

    def test_the_export_resolves_names_one_query_per_batch(self, people):
        _, _, events = people
        for i in range(5):
            audit_record(actor="bulk", action=f"test.n{i}", target_type="candidate",
                         target_id=events[0].target_id)
        with CaptureQueriesContext(connection) as queries:
            exported = list(audit_export_events(audit_base(), batch=3))
        assert len(exported) == AuditEvent.objects.count()
        assert all(e.candidate.name == "Jane Roe" for e in exported
                   if e.action.startswith("test.n"))
        candidate_reads = [q for q in queries if 'FROM "candidates_candidate"' in q["sql"]]
        batches = -(-len(exported) // 3)
        assert len(candidate_reads) <= batches  # a batch without candidates asks nothing
