#!/usr/bin/env python3
"""CSV import benchmark: how long a 50,000-row import takes, and what it does to everyone else's
writes while it runs. A small write (a member's title) is timed again and again before the import
(the baseline) and during it, in the same invocation; the figures are their ratio.

    swift build -c release && python3 bench/import_bench.py [--rows 50000] [--db postgres] [--binary PATH]

With --db postgres, DATABASE_URL names a server database the benchmark may create scratch databases in.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, running_server  # noqa: E402
from work_bench import call  # noqa: E402


def small_writes(base, token, member_url, stop, samples):
    """Times one small write after another until `stop` is set."""
    number = 0
    while not stop.is_set():
        started = time.perf_counter()
        call(base, "PATCH", member_url, {"title": f"Title {number}"}, token)
        samples.append((time.perf_counter() - started) * 1000)
        number += 1
        time.sleep(0.02)


def measure(base, rows):
    signup = call(base, "POST", "/api/v1/auth/signup", {"email": "lead@bench.test", "password": "bench password 1",
                                                         "name": "Bench Lead", "workspace_name": "Bench"})
    token, workspace, me = signup["token"], signup["workspace"]["id"], signup["user"]["id"]
    invite = call(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": "tom@bench.test"}, token)
    call(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
         {"name": "Tom", "password": "bench password 1"})
    project = call(base, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Import"}, token)
    lines = ["title,assignee email,stage,priority,due,tags"]
    for index in range(rows):
        stage = ["To do", "In progress", "In review"][index % 3]
        assignee = "tom@bench.test" if index % 2 == 0 else ""
        lines.append(f"Task {index},{assignee},{stage},normal,2026-12-{index % 28 + 1:02d},t{index % 20}")
    body = "\n".join(lines).encode()
    member_url = f"/api/v1/workspaces/{workspace}/members/{me}"

    baseline = []
    stop = threading.Event()
    writer = threading.Thread(target=small_writes, args=(base, token, member_url, stop, baseline))
    writer.start()
    time.sleep(3)
    stop.set()
    writer.join()

    during = []
    stop = threading.Event()
    writer = threading.Thread(target=small_writes, args=(base, token, member_url, stop, during))
    writer.start()
    started = time.perf_counter()
    result = call(base, "POST", f"/api/v1/projects/{project['id']}/tasks/import", raw=body, token=token, content_type="text/csv")
    seconds = time.perf_counter() - started
    stop.set()
    writer.join()
    if result.get("created") != rows:
        sys.exit(f"import failed: {result}")
    return seconds, baseline, during


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "baton"))
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: run `swift build -c release` first")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)
    if args.db == "postgres":
        server = os.environ.get("DATABASE_URL") or sys.exit("--db postgres needs DATABASE_URL")
        name = f"baton_import_bench_{int(time.time())}"
        subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
        parts = urllib.parse.urlsplit(server)
        database = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    else:
        database = os.path.join(tempfile.mkdtemp(prefix="baton-import-"), "bench.sqlite")
    try:
        with running_server(args.binary, database, env) as base:
            seconds, baseline, during = measure(base, args.rows)
    finally:
        if args.db == "postgres":
            subprocess.run(["psql", server, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)

    def p(values, q):
        return min(max(values), statistics.quantiles(values, n=100, method="inclusive")[q - 1]) if len(values) >= 2 else values[0]

    base50, base_max = statistics.median(baseline), max(baseline)
    print(f"database={args.db} rows={args.rows} binary={os.path.relpath(args.binary, ROOT)}")
    print(f"import: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s)")
    print(f"{'small write':<22}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'p50 ratio':>11}{'max ratio':>11}")
    for label, values in (("before the import", baseline), ("during the import", during)):
        print(f"{label:<22}{len(values):>7}{statistics.median(values):>9.1f}{p(values, 99):>9.1f}{max(values):>9.1f}"
              f"{statistics.median(values) / base50:>11.1f}{max(values) / base_max:>11.1f}")


if __name__ == "__main__":
    main()
