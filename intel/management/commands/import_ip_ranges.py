"""Import an IP range list into a category, replacing what the category held.

    python manage.py import_ip_ranges datacenter /srv/lists/datacenter-ipv4.txt
    python manage.py import_ip_ranges vpn https://example.org/vpn/ipv4.txt \\
        https://example.org/vpn/ipv6.txt        # several sources make one category

Prints the counts, the first rejected lines with their line numbers, and the time taken.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from intel.ipranges import IpRangeSourceUnavailable, ip_ranges_fetch, ip_ranges_import


class Command(BaseCommand):
    help = "Import an IP range list (one CIDR or address per line) into a named category."

    def add_arguments(self, parser):
        parser.add_argument("category", help="vpn, datacenter, astrill, tor, ... (a slug)")
        parser.add_argument("sources", nargs="+", metavar="path-or-url",
                            help="a file, or an http(s) URL; several are imported together")
        parser.add_argument("--show-rejected", type=int, default=10, metavar="N",
                            help="rejected lines to print (default 10)")

    def handle(self, *args, category, sources, show_rejected, **options):
        started = time.perf_counter()
        lines: list[str] = []
        for source in sources:
            lines += self._read(source).splitlines()
        read_seconds = time.perf_counter() - started
        try:
            result = ip_ranges_import(category=category, lines=lines, source=", ".join(sources),
                                      actor="command:import_ip_ranges")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - started

        self.stdout.write(
            f"Imported {result.range_count} ranges into {category!r} "
            f"({result.ipv4_count} IPv4, {result.ipv6_count} IPv6); replaced "
            f"{result.replaced_count}; {result.duplicate_count} duplicate lines skipped; "
            f"{result.rejected_count} rejected."
        )
        if result.rejected_count and show_rejected > 0:
            shown = result.rejected[:show_rejected]
            self.stdout.write(f"Rejected lines (first {len(shown)} of {result.rejected_count}):")
            for line in shown:
                self.stdout.write(f"  line {line.number}: {line.text!r}: {line.reason}")
        if len(sources) > 1 and result.rejected_count:
            self.stdout.write("  (line numbers run on across the sources, in the order given)")
        self.stdout.write(f"Elapsed: {elapsed:.2f}s (reading {read_seconds:.2f}s, "
                          f"import {elapsed - read_seconds:.2f}s).")

    def _read(self, source: str) -> str:
        if source.startswith(("http://", "https://")):
            try:
                return ip_ranges_fetch(source)
            except (IpRangeSourceUnavailable, ApplicationError) as exc:
                raise CommandError(f"Download failed, nothing imported: {exc}") from exc
        try:
            return Path(source).read_text(encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc.strerror or exc}") from exc
