"""Storing the career keys of a candidate's employment history (signals.checks.career), so
that the career check finds who else has them with one indexed look-up per key."""

from django.db import transaction

from candidates.models import Candidate
from signals.checks.career import career_keys
from signals.engine import CandidateSnapshot
from signals.models import CareerKey


def career_keys_store(*, snapshot: CandidateSnapshot) -> None:
    """Replace the candidate's career keys with those of the snapshot's employment history.

    Idempotent: unchanged keys write nothing. A snapshot older than the candidate's current
    revision (a scoring overtaken by an update) is ignored: the update's own scoring stores
    the new keys.
    """
    wanted = {(kind, key) for kind, key, _label in career_keys(snapshot.employments)}
    with transaction.atomic():
        revision = (Candidate.objects.select_for_update().filter(pk=snapshot.id)
                    .values_list("revision", flat=True).first())
        if revision is None or revision != snapshot.revision:
            return
        stored = set(CareerKey.objects.filter(candidate_id=snapshot.id)
                     .values_list("kind", "key"))
        if stored == wanted:
            return
        gone = stored - wanted
        for kind, key in gone:
            CareerKey.objects.filter(candidate_id=snapshot.id, kind=kind, key=key).delete()
        CareerKey.objects.bulk_create([CareerKey(candidate_id=snapshot.id, kind=kind, key=key)
                                       for kind, key in wanted - stored])
