"""The long schemathesis run against the ATS API (not in CI; CI runs the same test small).

Runs tests/candidates/test_schemathesis.py with --examples generated requests per operation
and mode (positive and negative): 4 operations x 2 modes x 700 = about 5,600 requests by
default, over HTTP to the live server on a PostgreSQL test database of its own
(test_vetting_fuzz, created and dropped by pytest-django) with a real API key. It prints
the requests sent, the server errors, the conformance failures (undocumented status, content
type, headers or body) and schemathesis's informational findings, and the answers by
operation and status. Exit status 1 if there was a server error or a conformance failure.

    .venv/bin/python bench/api_fuzz.py                  # 700 per operation and mode
    .venv/bin/python bench/api_fuzz.py --examples 2000

Scoring hand-offs of the candidates it creates go to Redis database 13 (queue vetting-fuzz;
--redis-url for another), emptied before and after. PostgreSQL and Redis on 127.0.0.1, as
for the tests.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=700,
                        help="generated requests per operation and mode (700)")
    parser.add_argument("--db-name", default="vetting_fuzz",
                        help="pytest-django makes test_<name> of it (vetting_fuzz)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13",
                        help="a Redis database of its own: it is emptied (.../13)")
    args = parser.parse_args()
    env = dict(
        os.environ,
        SCHEMATHESIS_EXAMPLES=str(args.examples),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db_name}",
        REDIS_URL=args.redis_url,
        CELERY_QUEUE="vetting-fuzz",
    )
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:logging", "-p",
               "no:cacheprovider", "tests/candidates/test_schemathesis.py"]
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            if " django.request " not in line:  # Django's log line for every 4xx answer
                print(line, end="", flush=True)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
