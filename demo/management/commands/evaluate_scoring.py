from django.core.management.base import BaseCommand
from django.db import transaction

from demo.evaluation import population_evaluate


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = ("Measure precision and recall of the high/critical levels on demo populations of "
            "several seeds. Writes nothing: everything is rolled back.")

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 2026, 4242, 90210])
        parser.add_argument("--honest", type=int, default=300)
        parser.add_argument("--rings", type=int, default=6)

    def handle(self, *args, seeds, honest, rings, **options):
        totals = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        self.stdout.write(f"{'seed':>6} {'fraud':>6} {'honest':>7} {'TP':>4} {'FP':>4} "
                          f"{'FN':>4} {'precision':>10} {'recall':>7}")
        for seed in seeds:
            try:
                with transaction.atomic():
                    result = population_evaluate(seed=seed, honest=honest, rings=rings)
                    raise Rollback
            except Rollback:
                pass
            fraud = result.true_positives + result.false_negatives
            honest_n = result.false_positives + result.true_negatives
            self.stdout.write(
                f"{seed:>6} {fraud:>6} {honest_n:>7} {result.true_positives:>4} "
                f"{result.false_positives:>4} {result.false_negatives:>4} "
                f"{result.precision:>10.3f} {result.recall:>7.3f}"
            )
            for persona in result.missed:
                self.stdout.write(f"       missed: {persona}")
            for persona in result.false_alarms:
                self.stdout.write(f"       false alarm: {persona}")
            totals["tp"] += result.true_positives
            totals["fp"] += result.false_positives
            totals["fn"] += result.false_negatives
            totals["tn"] += result.true_negatives
        flagged = totals["tp"] + totals["fp"]
        fraud = totals["tp"] + totals["fn"]
        self.stdout.write(
            f"overall: precision {totals['tp'] / flagged if flagged else 1:.3f}, "
            f"recall {totals['tp'] / fraud if fraud else 1:.3f} "
            f"({totals['tp']} of {fraud} fraud flagged high/critical; "
            f"{totals['fp']} of {totals['fp'] + totals['tn']} honest flagged)"
        )
