"""Import the OFAC SDN list, replacing the screening list in one transaction.

    python manage.py import_sanctions /srv/ofac/SDN.CSV --alt /srv/ofac/ALT.CSV
    python manage.py import_sanctions \\
        https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV \\
        --alt https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ALT.CSV

Keeps the North Korea programmes (tags beginning with DPRK) unless --all-programs. Prints
the counts and the time taken. A download or format error imports nothing: the list in
place stays.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from intel.sanctions import SanctionsSourceUnavailable, sanctions_import, sanctions_read


class Command(BaseCommand):
    help = "Import the OFAC SDN list (SDN.CSV, optionally ALT.CSV) from files or URLs."

    def add_arguments(self, parser):
        parser.add_argument("sdn", metavar="sdn-path-or-url", help="SDN.CSV: a file or URL")
        parser.add_argument("--alt", metavar="path-or-url", help="ALT.CSV (aliases)")
        parser.add_argument("--all-programs", action="store_true",
                            help="keep every entry, not only the DPRK programmes")

    def handle(self, *args, sdn, alt, all_programs, **options):
        started = time.perf_counter()
        sdn_text = self._read(sdn)
        alt_text = self._read(alt) if alt else None
        read_seconds = time.perf_counter() - started
        source = f"{sdn} + {alt}" if alt else sdn
        try:
            result = sanctions_import(sdn_text=sdn_text, alt_text=alt_text, source=source,
                                      all_programs=all_programs, actor="command:import_sanctions")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - started

        kept = "every programme" if all_programs else "DPRK programmes"
        self.stdout.write(
            f"Imported {result.entry_count} entries ({kept}; {result.skipped_count} others "
            f"skipped), {result.alias_count} aliases, {result.wallet_count} wallet "
            f"addresses; replaced {result.replaced_count} entries."
        )
        self.stdout.write(f"Elapsed: {elapsed:.2f}s (reading {read_seconds:.2f}s, "
                          f"import {elapsed - read_seconds:.2f}s).")

    def _read(self, source: str) -> str:
        try:
            return sanctions_read(source)
        except SanctionsSourceUnavailable as exc:
            raise CommandError(f"Download failed, nothing imported: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(f"Nothing imported: {exc.message}") from exc
