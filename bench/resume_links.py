"""Precision and recall of resume links on paraphrased templates (issue 10, item 3).

For each seed, the demo population with issue 10's tactics (demo_population(hard=True)):
ring members on a template resume (copied with a few words edited), paraphrased-template
rings and quiet personas (each copy rewritten by demo.paraphrase: synonyms, reordered and
dropped bullets, changed numbers), among honest applicants whose resumes share phrase pools.
A pair of applicants should be linked when both wrote from the same ring's template.

Methods compared, each as the scoring pipeline uses it:
  text    MinHash of 4-word shingles, estimated Jaccard >= signals.resume.SIMILARITY_THRESHOLD
          (what the LSH index returns; here every pair is compared, which only a measurement
          may do)
  career  a shared "career" key of signals.checks.career (two consecutive jobs: employers and
          start years), what the CareerKey index returns
  either  the union: what the checks link on (resume.near_duplicate, resume.same_career)

Pairs of one person's two applications are not counted either way. Run from the project root:

    .venv/bin/python bench/resume_links.py --seeds 7 11 2026 4242 90210
"""

import argparse
import itertools
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 2026, 4242, 90210])
    parser.add_argument("--honest", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetting.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from datetime import date

    from demo.population import demo_population
    from signals.checks.career import career_keys
    from signals.engine import EmploymentSnap
    from signals.resume import SIMILARITY_THRESHOLD, resume_signature, signature_similarity

    totals = {m: [0, 0, 0] for m in ("text", "career", "either")}  # tp, fp, fn
    for seed in args.seeds:
        people = []
        for a in demo_population(seed=seed, honest=args.honest, hard=True):
            templated = a.ring and ("templated" in a.persona or a.group in (
                "paraphrased template", "quiet persona"))
            jobs = tuple(EmploymentSnap(j["employer"], start=date.fromisoformat(j["start"] + "-01"))
                         for j in a.payload["employment_history"] if j.get("start"))
            careers = {key for kind, key, _ in career_keys(jobs) if kind == "career"}
            people.append((a, a.ring if templated else None, resume_signature(
                a.payload["resume_text"]), careers))
        for (a, ta, sa, ca), (b, tb, sb, cb) in itertools.combinations(people, 2):
            if a.payload["email"] == b.payload["email"]:
                continue  # one person applying twice
            truth = ta is not None and ta == tb
            text = (sa is not None and sb is not None
                    and signature_similarity(sa[0], sb[0]) >= SIMILARITY_THRESHOLD)
            career = bool(ca & cb)
            for method, linked in (("text", text), ("career", career),
                                   ("either", text or career)):
                if linked and truth:
                    totals[method][0] += 1
                elif linked:
                    totals[method][1] += 1
                elif truth:
                    totals[method][2] += 1
    print(f"seeds {', '.join(map(str, args.seeds))}: pairs of applicants on one template")
    print(f"{'method':>8} {'linked right':>13} {'linked wrong':>13} {'missed':>7} "
          f"{'precision':>10} {'recall':>7}")
    for method, (tp, fp, fn) in totals.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{method:>8} {tp:>13} {fp:>13} {fn:>7} {precision:>10.3f} {recall:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
