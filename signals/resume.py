"""Near-duplicate resume search: MinHash signatures and LSH bands in an indexed table.

Persona teams work from shared resume templates, swapping the name and a few words (THREATS
B2). Comparing every resume with every other is quadratic, so each resume is reduced to:

- a MinHash signature: NUM_PERM minimums of hashed 4-word shingles. The share of positions
  two signatures agree on estimates the Jaccard similarity of the two shingle sets;
- BANDS bands of ROWS signature values, each hashed to one bucket and stored as a row of
  `ResumeBand`, indexed on (band, bucket). Two resumes share a bucket in at least one band
  with probability 1 - (1 - J^ROWS)^BANDS: with 32 x 4, about 0.99 at J = 0.6, 0.87 at
  J = 0.5, 0.23 at J = 0.3, 0.05 at J = 0.2 and 0.003 at J = 0.1.

Finding a resume's neighbours is one indexed self-join on the band table; only candidates
that share a bucket get their signatures compared, and only those with an estimated
similarity of SIMILARITY_THRESHOLD or more are returned.

Word shingles (rather than removing the candidate's own name, which the store does not know)
keep a swapped name from mattering much: it changes only the few shingles that contain it.
"""

import hashlib
import re
import unicodedata

import numpy as np
from django.db import connection, transaction

from candidates.models import Candidate
from signals.engine import CandidateSnapshot, OtherCandidate
from signals.models import ResumeBand, ResumeSignature

# Each edited word changes up to SHINGLE_WORDS shingles: 4 keeps a 200-word template with its
# name swapped and five words edited at a Jaccard similarity of about 0.75 (0.70 with 5-word
# shingles), while two honest resumes on the same stack, written by different people, share
# almost no 4-word run (about 0.0 on the test resumes).
SHINGLE_WORDS = 4
# Shorter resumes say too little to be told apart from a template ("Python developer with
# five years of experience..."): nothing is stored for them and they have no neighbours.
MIN_WORDS = 40
NUM_PERM = 128
BANDS, ROWS = 32, 4
assert BANDS * ROWS == NUM_PERM
# Mixed into every bucket and stored beside every signature: a change of shingling or
# hashing bumps it, so signatures of different versions never meet (the next scoring of
# each candidate rewrites its rows).
SIGNATURE_VERSION = 1
# Estimated Jaccard similarity from which two resumes are near-duplicates. With 128
# permutations the estimate's standard error is about 0.04 around 0.6.
SIMILARITY_THRESHOLD = 0.6
NEIGHBOUR_LIMIT = 50
# At most this many bucket-sharing candidates get their signatures compared, those sharing
# the most bands first (the expected number of shared bands is BANDS * J^ROWS). A bigger
# cluster is a template mill, and the 50 nearest say enough.
CANDIDATE_LIMIT = 500
# Shingles hashed per numpy batch: bounds memory to CHUNK x NUM_PERM x 8 bytes (4 MiB).
CHUNK = 4096

def _seeded_u64(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little")


# Permutation i is approximated by h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32, a
# multiply-add-shift universal hash over the shingle's 64-bit blake2b hash. The parameters
# come from blake2b too rather than a random generator, so they never change with numpy.
_A = np.array([_seeded_u64(f"resume-minhash-a-{i}") | 1 for i in range(NUM_PERM)],
              dtype=np.uint64)
_B = np.array([_seeded_u64(f"resume-minhash-b-{i}") for i in range(NUM_PERM)],
              dtype=np.uint64)


def resume_words(text: str | None) -> list[str]:
    """Lower case, accents folded, digits and punctuation dropped: the words of the text."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[\W\d_]+", " ", folded).split()


def resume_shingle_hashes(words: list[str]) -> np.ndarray:
    """The distinct SHINGLE_WORDS-word shingles of the text, as 64-bit hashes."""
    shingles = {
        " ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    hashes = [
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
        for s in shingles
    ]
    return np.array(sorted(hashes), dtype=np.uint64)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The NUM_PERM-value MinHash signature (uint32) of a non-empty set of 64-bit hashes."""
    signature = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint64)
    for start in range(0, len(hashes), CHUNK):
        x = hashes[start:start + CHUNK, None]
        # uint64 arithmetic wraps around: that is the "mod 2^64".
        values = (x * _A + _B) >> np.uint64(32)
        np.minimum(signature, values.min(axis=0), out=signature)
    return signature.astype(np.uint32)


def resume_signature(text: str | None) -> tuple[np.ndarray, int] | None:
    """(signature, shingle count) of a resume, or None when it is too short to compare."""
    words = resume_words(text)
    if len(words) < MIN_WORDS:
        return None
    hashes = resume_shingle_hashes(words)
    return minhash(hashes), len(hashes)


def band_buckets(signature: np.ndarray) -> list[int]:
    """One bucket per band: a 64-bit hash of the band's ROWS values, signed to fit a
    PostgreSQL bigint."""
    raw = signature.astype("<u4").tobytes()
    width = ROWS * 4
    version = SIGNATURE_VERSION.to_bytes(2, "little")
    return [
        int.from_bytes(
            hashlib.blake2b(version + raw[band * width:(band + 1) * width], digest_size=8)
            .digest(),
            "little", signed=True,
        )
        for band in range(BANDS)
    ]


def signature_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of permutations whose minimums agree."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def _signature_from_db(value) -> np.ndarray:
    # PostgreSQL returns memoryview, SQLite bytes.
    return np.frombuffer(bytes(value), dtype="<u4")


def resume_signature_store(*, candidate_id: int, text: str) -> None:
    """Replace the candidate's signature and band rows with those of `text`, the candidate's
    current resume.

    Idempotent: an unchanged resume writes nothing. A resume too short to compare removes
    what was stored, so an emptied resume no longer matches anyone. A `text` that is no
    longer the candidate's resume (a scoring task overtaken by an update, running late) is
    ignored: the update's own task stores the new one, and must not be overwritten.
    """
    computed = resume_signature(text)
    with transaction.atomic():
        # Two deliveries of one scoring task must not interleave their delete and insert:
        # the candidate's row lock puts them one after the other.
        current = (Candidate.objects.select_for_update().filter(pk=candidate_id)
                   .values_list("resume_text", flat=True).first())
        if current is None or current != text:
            return  # deleted or updated meanwhile
        stored = ResumeSignature.objects.filter(candidate_id=candidate_id).first()
        if computed is None:
            if stored is not None:
                ResumeBand.objects.filter(candidate_id=candidate_id).delete()
                stored.delete()
            return
        signature, shingle_count = computed
        raw = signature.astype("<u4").tobytes()
        if (stored is not None and stored.version == SIGNATURE_VERSION
                and bytes(stored.signature) == raw):
            return
        ResumeBand.objects.filter(candidate_id=candidate_id).delete()
        ResumeSignature.objects.update_or_create(
            candidate_id=candidate_id,
            defaults={"version": SIGNATURE_VERSION, "signature": raw,
                      "shingle_count": shingle_count},
        )
        ResumeBand.objects.bulk_create([
            ResumeBand(candidate_id=candidate_id, band=band, bucket=bucket)
            for band, bucket in enumerate(band_buckets(signature))
        ])


# The candidate's bands joined to everyone else's on the (band, bucket) index; the
# candidates sharing the most bands first. The candidate's own rows are excluded by the
# join, so a candidate is never its own neighbour. The scoped variant restricts the others
# to one integration (for signals.lookups.ScopedLookups, when a limit cut the full answer).
_NEIGHBOURS_SQL = """
    WITH hits AS (
        SELECT o.candidate_id, COUNT(*) AS shared
        FROM signals_resumeband m
        JOIN signals_resumeband o
          ON o.band = m.band AND o.bucket = m.bucket AND o.candidate_id <> m.candidate_id
        {scope_join}
        WHERE m.candidate_id = %s {scope}
        GROUP BY o.candidate_id
        ORDER BY shared DESC, o.candidate_id
        LIMIT %s
    )
    SELECT c.id, c.external_id, c.full_name, c.integration_id, theirs.signature,
           mine.signature, (SELECT COUNT(*) FROM hits)
    FROM hits h
    JOIN candidates_candidate c ON c.id = h.candidate_id
    JOIN signals_resumesignature theirs
      ON theirs.candidate_id = h.candidate_id AND theirs.version = %s
    JOIN signals_resumesignature mine
      ON mine.candidate_id = %s AND mine.version = %s
"""
NEIGHBOURS_SQL = _NEIGHBOURS_SQL.format(scope_join="", scope="")
SCOPED_NEIGHBOURS_SQL = _NEIGHBOURS_SQL.format(
    scope_join="JOIN candidates_candidate oc ON oc.id = o.candidate_id",
    scope="AND oc.integration_id = %s",
)


def resume_neighbours(snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
    """Other candidates whose stored resume is a near-duplicate of this candidate's stored
    resume, with the estimated similarity: most similar first, at most NEIGHBOUR_LIMIT.

    One query, whatever the number of candidates. Reads what resume_signature_store wrote;
    the scoring pipeline stores the snapshot's resume before running the checks.
    """
    return resume_search(snapshot)[0]


def resume_search(snapshot: CandidateSnapshot, *, integration_id: int | None = None
                  ) -> tuple[list[tuple[OtherCandidate, float]], bool]:
    """resume_neighbours, optionally among one integration's candidates only, and whether
    the answer is complete: False when a limit (CANDIDATE_LIMIT, NEIGHBOUR_LIMIT) cut it, so
    that filtering it by integration could miss neighbours beyond the cut."""
    sql, params = NEIGHBOURS_SQL, [snapshot.id]
    if integration_id is not None:
        sql, params = SCOPED_NEIGHBOURS_SQL, [snapshot.id, integration_id]
    params += [CANDIDATE_LIMIT, SIGNATURE_VERSION, snapshot.id, SIGNATURE_VERSION]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    hits = rows[0][-1] if rows else 0
    neighbours = []
    for other_id, external_id, full_name, other_integration, theirs, mine, _ in rows:
        similarity = signature_similarity(_signature_from_db(mine), _signature_from_db(theirs))
        if similarity >= SIMILARITY_THRESHOLD:
            other = OtherCandidate(other_id, external_id, full_name, other_integration)
            neighbours.append((other, similarity))
    neighbours.sort(key=lambda item: (-item[1], item[0].id))
    complete = hits < CANDIDATE_LIMIT and len(neighbours) <= NEIGHBOUR_LIMIT
    return neighbours[:NEIGHBOUR_LIMIT], complete
