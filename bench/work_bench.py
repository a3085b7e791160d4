#!/usr/bin/env python3
"""Work benchmarks: seed N tasks for P people, then measure with wrk, in one run and with the same
settings: a plain hello route, a stage change (PATCH with version: one write, its events and jobs),
the manager dashboard and a filtered task list. Figures are ratios against the hello route.

    swift build -c release && python3 bench/work_bench.py --sizes 10000,100000 [--db postgres]
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import subprocess
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, run_wrk, running_server  # noqa: E402


def call(base, method, path, body=None, token=None, raw=None, content_type="application/json", timeout=900):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, method=method, headers=headers, data=data)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return json.loads(text) if text and response.headers.get_content_type() == "application/json" else text


def seed(base, tasks, people):
    signup = call(base, "POST", "/api/v1/auth/signup", {"email": "manager@bench.test", "password": "bench password 1",
                                                         "name": "Bench Manager", "workspace_name": "Bench"})
    token, workspace, manager = signup["token"], signup["workspace"]["id"], signup["user"]["id"]
    emails = []
    started = time.time()
    for index in range(people - 1):
        email = f"p{index}@bench.test"
        invite = call(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": email}, token)
        accepted = call(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
                        {"name": f"Person {index}", "password": "bench password 1"})
        if index < 10:  # the manager's direct reports
            call(base, "PATCH", f"/api/v1/workspaces/{workspace}/members/{accepted['user']['id']}", {"manager_id": manager}, token)
        emails.append(email)
    print(f"  seeded {people} people in {time.time() - started:.0f}s", flush=True)
    project = call(base, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Bench"}, token)
    stages = {stage["name"]: stage["id"] for stage in project["stages"]}
    started = time.time()
    batch = 50_000
    for first in range(0, tasks, batch):
        rows = ["title,assignee email,stage,priority,due,tags"]
        for number in range(first, min(tasks, first + batch)):
            stage = ["To do", "In progress", "In review"][number % 3]
            rows.append(f"Task {number},{emails[number % len(emails)]},{stage},normal,2026-12-{number % 28 + 1:02d},t{number % 20}")
        call(base, "POST", f"/api/v1/projects/{project['id']}/tasks/import", raw="\n".join(rows).encode(), token=token,
             content_type="text/csv")
    print(f"  imported {tasks} tasks in {time.time() - started:.0f}s", flush=True)
    report = emails[0]
    members = call(base, "GET", f"/api/v1/workspaces/{workspace}/members", token=token)["data"]
    report_id = next(member["user_id"] for member in members if member["email"] == report)
    listed = call(base, "GET", f"/api/v1/projects/{project['id']}/tasks?stage={stages['In progress']}&limit=200", token=token)["data"]
    return token, manager, project["id"], stages, report_id, [task["id"] for task in listed]


def measure(args, size):
    workdir = tempfile.mkdtemp(prefix="baton-work-bench-")
    database = os.environ["DATABASE_URL"] if args.db == "postgres" else os.path.join(workdir, "bench.sqlite")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)
    seeded = None
    cache = args.seed_cache and os.path.join(args.seed_cache, f"{size}x{args.people}")
    if cache and args.db == "sqlite" and os.path.exists(cache + ".json"):
        shutil.copy(cache + ".sqlite", database)
        with open(cache + ".json") as handle:
            seeded = json.load(handle)
    try:
        with running_server(args.binary, database, env) as base:
            if seeded is None:
                seeded = seed(base, size, args.people)
                if cache and args.db == "sqlite":
                    os.makedirs(args.seed_cache, exist_ok=True)
                    with open(cache + ".json", "w") as handle:
                        json.dump(seeded, handle)
            if cache and args.db == "sqlite" and not os.path.exists(cache + ".sqlite"):
                subprocess.run(["sqlite3", database, f"VACUUM INTO '{cache}.sqlite'"], check=True)
            return run_targets(args, base, workdir, seeded)
    finally:
        if args.db == "postgres":
            subprocess.run(["psql", os.environ["DATABASE_URL"], "-q", "-c",
                            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=False, capture_output=True)


def run_targets(args, base, workdir, seeded):
    """Runs every target with the same wrk settings against the seeded workspace."""
    token, manager, project, stages, report, task_ids = seeded
    ids_file = os.path.join(workdir, "ids.txt")
    with open(ids_file, "w") as handle:
        handle.write("\n".join(task_ids))
    auth = (f"Authorization: Bearer {token}",)
    targets = [
        ("hello (GET /healthz)", base + "/healthz", (), None),
        ("PATCH stage change", base + "/", auth,
         ["stage_change.lua", ids_file, stages["In progress"], stages["In review"], str(args.threads)]),
        ("manager dashboard", f"{base}/api/v1/dashboards/manager/{manager}", auth, None),
        ("filtered task list", f"{base}/api/v1/projects/{project}/tasks?assignee={report}&stage={stages['To do']}&limit=50", auth, None),
    ]
    results = []
    for name, url, headers, script in targets:
        results.append((name, run_wrk(url, args.duration, args.connections, args.threads, headers, script)))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed-cache", help="SQLite only: keep seeded databases here and reuse them")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "baton"))
    args = parser.parse_args()
    failed = False
    for size in [int(value) for value in args.sizes.split(",")]:
        print(f"== {args.db}, {size} tasks, {args.people} people", flush=True)
        results = measure(args, size)
        baseline = results[0][1]["rps"]
        print(f"{'target':<24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'errors':>8}")
        for name, result in results:
            print(f"{name:<24}{result['rps']:>10.0f}{result['p50']:>9.2f}{result['p99']:>9.2f}"
                  f"{result['rps'] / baseline:>8.2f}{result['errors']:>8}")
            failed = failed or result["errors"] > 0
    if failed:
        sys.exit("errors during the benchmark")


if __name__ == "__main__":
    main()
