"""Celery entry points for the intel app: scheduled imports of reference data.

Tasks take primitive arguments and call one service (intel/ipranges.py, intel/sanctions.py).
"""

from celery import shared_task

from intel.ipranges import IpRangeSourceUnavailable, ip_ranges_fetch, ip_ranges_import
from intel.sanctions import SanctionsSourceUnavailable, sanctions_fetch, sanctions_import


@shared_task(
    # Only what may pass is retried (timeout, connection error, 5xx, 429): 1, 2, 4, 8, 16
    # minutes, jittered. The countdown stays below the broker's visibility timeout (1 h).
    # A 404, a non-list body or a bad category fails at once and is logged by Celery; the
    # category keeps its ranges either way.
    autoretry_for=(IpRangeSourceUnavailable,),
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
    # Re-running is harmless (the same list replaces the category with the same ranges).
    acks_late=True,
    # Downloading and importing the 42,000-range datacenter list takes a few seconds; a
    # slow mirror must not hit the global 60 s limit meant for scoring.
    soft_time_limit=300,
    time_limit=360,
)
def ip_ranges_import_task(category: str, url: str | list[str]) -> dict:
    """Download the list at url (or the lists at several URLs, which together make the
    category: X4BNet publishes VPN IPv4 and IPv6 separately) and replace the category."""
    urls = [url] if isinstance(url, str) else list(url)
    lines: list[str] = []
    for one in urls:
        lines += ip_ranges_fetch(one).splitlines()
    result = ip_ranges_import(category=category, lines=lines, source=", ".join(urls),
                              actor="task:ip_ranges_import_task")
    return result.as_dict()


@shared_task(
    # As above: only a server that may answer later is retried (1, 2, 4, 8, 16 minutes);
    # a 404 or a file not in OFAC's format fails at once, and the list in place stays.
    autoretry_for=(SanctionsSourceUnavailable,),
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
    # Re-running is harmless: the same files replace the list with the same entries.
    acks_late=True,
    # SDN.CSV and ALT.CSV are a few megabytes each; importing every programme (18,000
    # entries) takes seconds. Far above the global limit meant for scoring, far below the
    # broker's visibility timeout.
    soft_time_limit=600,
    time_limit=660,
)
def sanctions_import_task(sdn_url: str, alt_url: str | None = None,
                          all_programs: bool = False) -> dict:
    """Download OFAC's SDN.CSV (and ALT.CSV) and replace the sanctions screening list."""
    sdn_text = sanctions_fetch(sdn_url)
    alt_text = sanctions_fetch(alt_url) if alt_url else None
    result = sanctions_import(
        sdn_text=sdn_text, alt_text=alt_text, all_programs=all_programs,
        source=f"{sdn_url} + {alt_url}" if alt_url else sdn_url,
        actor="task:sanctions_import_task",
    )
    return result.as_dict()
