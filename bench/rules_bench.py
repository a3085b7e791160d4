#!/usr/bin/env python3
"""Automation rules under load (issue 14), against the release binary on SQLite:

1. PATCH stage changes at full speed (wrk) with every rule of the project off, then on: the ratio
   is the write path's cost of rules (target: on >= 0.8x off). 20 projects hold 200 rules of their
   own besides the three defaults; the tasks moved are in one of them.
2. A paced stream of 10,000 changes a minute for --stream seconds with the rules on: the time from
   a change's commit to the inbox entry of the rule's notice (p50 / p99; target p99 < 1 s). Delivery
   time is read from the inbox follower's position, sampled every 20 ms.
3. 10,000 tasks whose deadline warning falls due in the same minute: seconds from the sweep's start
   until the last warning is in an inbox (target < 60 s).
4. 1,000 emails (invitations) to a local SMTP sink (aiosmtpd): seconds until all were sent.

    swift build -c release --product baton && python3 bench/rules_bench.py
"""
import argparse
import asyncio
import datetime
import http.client
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, free_port, run_wrk, running_server  # noqa: E402


def call(base, method, path, body=None, token=None, raw=None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, method=method, headers=headers, data=data)
    with urllib.request.urlopen(request, timeout=300) as response:
        text = response.read()
        return json.loads(text) if text and response.headers.get_content_type() == "application/json" else None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


class CursorSampler:
    """When the inbox follower passed each event: (time, position) every 20 ms."""
    def __init__(self, database):
        self.database, self.samples, self.running = database, [], True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        connection = sqlite3.connect(self.database, timeout=10)
        while self.running:
            row = connection.execute("SELECT position FROM event_cursors WHERE name = 'notifications'").fetchone()
            if row:
                self.samples.append((time.time(), row[0]))
            time.sleep(0.02)

    def delivered_at(self, event_id):
        for moment, position in self.samples:
            if position >= event_id:
                return moment
        return None

    def stop(self):
        self.running = False
        self.thread.join()


def seed(base, database):
    signup = call(base, "POST", "/api/v1/auth/signup", {"email": "lead@bench.test", "password": "bench password 1",
                                                         "name": "Bench Lead", "workspace_name": "Rules bench"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    invite = call(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": "tom@bench.test"}, token)
    tom = call(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
               {"name": "Tom", "password": "bench password 1"})
    projects = []
    for number in range(20):
        project = call(base, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": f"Project {number}"}, token)
        stages = {stage["name"]: stage["id"] for stage in project["stages"]}
        for rule in range(10):
            call(base, "POST", f"/api/v1/projects/{project['id']}/rules", {
                "name": f"Rule {rule}", "trigger": {"type": ["stage_changed", "field_changed", "blocked"][rule % 3]},
                "conditions": [{"field": "priority", "op": "in", "value": "urgent, high"}] if rule % 2 else [],
                "actions": [{"type": "notify", "recipients": ["delegator", "assignee"], "message": "{{title}} moved to {{stage}}"}]}, token)
        projects.append((project["id"], stages))
    project, stages = projects[0]
    rows = ["title,assignee email,stage,priority"] + [f"Moving {n},tom@bench.test,In progress,normal" for n in range(400)]
    call(base, "POST", f"/api/v1/projects/{project}/tasks/import", raw="\n".join(rows).encode(), token=token, content_type="text/csv")
    with sqlite3.connect(database, timeout=10) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM tasks WHERE project_id = ? ORDER BY id", (project,))]
    return token, workspace, tom["token"], projects, ids


def wait_until_drained(database, poll, limit=None):
    """Waits until every follower has read the whole log and no rule job waits; returns the seconds it took."""
    started = time.time()
    while limit is None or time.time() - started < limit:
        with sqlite3.connect(database, timeout=10) as connection:
            behind = connection.execute("SELECT (SELECT max(id) FROM events) - min(position) FROM event_cursors").fetchone()[0]
            pending = connection.execute("SELECT count(*) FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND kind = 'rule.run'").fetchone()[0]
        if behind == 0 and pending == 0:
            break
        time.sleep(poll)
    return time.time() - started


def set_rules(base, token, project, enabled):
    for rule in call(base, "GET", f"/api/v1/projects/{project}/rules", token=token)["data"]:
        call(base, "PATCH", f"/api/v1/rules/{rule['id']}", {"enabled": enabled}, token)


def paced_stream(base, token, ids, stages, seconds, per_minute, versions):
    """Moves tasks at `per_minute`, spread over 8 connections; returns the changes' commit times."""
    interval = 60.0 / per_minute
    start = time.time()
    total = int(seconds / interval)
    lock = threading.Lock()
    next_index = [0]

    def worker(slot):
        connection = http.client.HTTPConnection(base.split("//")[1], timeout=30)
        mine = ids[slot::8]
        turn = 0
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                return
            delay = start + index * interval - time.time()
            if delay > 0:
                time.sleep(delay)
            task = mine[turn % len(mine)]
            turn += 1
            stage = stages["In review"] if versions[task] % 2 else stages["In progress"]
            body = json.dumps({"version": versions[task], "stage_id": stage})
            connection.request("PATCH", f"/api/v1/tasks/{task}", body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            payload = response.read()
            if response.status == 200:
                versions[task] = json.loads(payload)["task"]["version"]

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total, time.time() - start


def notice_latencies(database, sampler, since):
    """Commit of the change → the inbox entry of the rule's notice, for every rule notice since `since`
    (a notice's `occasion` names the event that set the rule off)."""
    with sqlite3.connect(database, timeout=10) as connection:
        rows = connection.execute("""
            SELECT notice.id, cause.created_at FROM events AS notice
            JOIN events AS cause ON cause.id = CAST(substr(json_extract(notice.data, '$.occasion'), 7) AS INTEGER)
            WHERE notice.kind = 'rule.notified' AND notice.created_at > ? AND json_extract(notice.data, '$.occasion') LIKE 'event:%'
            """, (since,)).fetchall()
    latencies = []
    for event_id, committed in rows:
        delivered = sampler.delivered_at(event_id)
        if delivered:
            latencies.append((delivered - committed) * 1000)
    return latencies


def deadlines(base, token, workspace, database, count):
    project = call(base, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Deadlines"}, token)["id"]
    tomorrow = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    rows = ["title,assignee email,due"] + [f"Due {n},tom@bench.test,{tomorrow}" for n in range(count)]
    call(base, "POST", f"/api/v1/projects/{project}/tasks/import", raw="\n".join(rows).encode(), token=token, content_type="text/csv")
    enabled_at = time.time()
    sampler = CursorSampler(database)
    call(base, "POST", f"/api/v1/projects/{project}/rules", {
        "name": "Deadline close", "trigger": {"type": "due_soon", "within_hours": 48, "unchanged_hours": 0},
        "actions": [{"type": "notify", "recipients": ["assignee"], "message": "{{title}} is due {{due}}"}]}, token)
    try:
        deadline = time.time() + 200
        while time.time() < deadline:
            with sqlite3.connect(database, timeout=10) as connection:
                done = connection.execute("SELECT count(*), max(id) FROM events WHERE kind = 'rule.notified' AND created_at > ?",
                                          (enabled_at,)).fetchone()
                sweep = connection.execute("SELECT min(run_at) FROM jobs WHERE kind = 'rule.sweep' AND done_at > ?", (enabled_at,)).fetchone()[0]
            if done[0] >= count and sampler.delivered_at(done[1]):
                return sampler.delivered_at(done[1]) - max(sweep or enabled_at, enabled_at)
            time.sleep(0.5)
        return float("nan")
    finally:
        sampler.stop()


def emails(binary, count, workdir):
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    database = os.path.join(workdir, "mail.sqlite")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error", BATON_SMTP_HOST="127.0.0.1", BATON_SMTP_PORT=str(port),
               BATON_SMTP_TLS="none", BATON_MAIL_FROM="Baton <bench@bench.test>")
    env.pop("DATABASE_URL", None)
    try:
        with running_server(binary, database, env) as base:
            signup = call(base, "POST", "/api/v1/auth/signup", {"email": "mail@bench.test", "password": "bench password 1",
                                                                 "name": "Mail", "workspace_name": "Mail bench"})
            token, workspace = signup["token"], signup["workspace"]["id"]
            started = time.time()
            for number in range(count):
                call(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"invitee{number}@bench.test"}, token)
            queued = time.time() - started
            while Sink.received < count and time.time() - started < 300:
                time.sleep(0.2)
            return queued, time.time() - started, Sink.received
    finally:
        controller.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "baton"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--stream", type=int, default=30, help="seconds of the paced stream")
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--emails", type=int, default=1_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="baton-rules-bench-")
    database = os.path.join(workdir, "rules.sqlite")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)
    with running_server(args.binary, database, env) as base:
        token, workspace, tom, projects, ids = seed(base, database)
        project, stages = projects[0]
        auth = (f"Authorization: Bearer {token}",)

        def script(part):
            # each run moves tasks nobody has moved yet (the script starts every task at version 1)
            ids_file = os.path.join(workdir, f"ids-{part}.txt")
            with open(ids_file, "w") as handle:
                handle.write("\n".join(ids[part * 100:(part + 1) * 100]))
            return ["stage_change.lua", ids_file, stages["In progress"], stages["In review"], "2"]
        set_rules(base, token, project, False)
        off = run_wrk(base + "/", args.duration, 16, 2, auth, script(0))
        set_rules(base, token, project, True)
        time.sleep(2)
        on = run_wrk(base + "/", args.duration, 16, 2, auth, script(1))
        print(f"PATCH stage change, rules off: {off['rps']:.0f} req/s (p99 {off['p99']:.1f} ms, errors {off['errors']})")
        print(f"PATCH stage change, 13 rules on in the project, 263 in all: {on['rps']:.0f} req/s (p99 {on['p99']:.1f} ms, errors {on['errors']})"
              f"  -> {on['rps'] / off['rps']:.2f}x of off (target >= 0.80x)")
        # let the backlog of the full-speed runs drain before the paced stream
        wait_until_drained(database, poll=1)
        with sqlite3.connect(database, timeout=10) as connection:
            versions = dict(connection.execute("SELECT id, version FROM tasks WHERE project_id = ?", (project,)).fetchall())
        sampler = CursorSampler(database)
        since = time.time()
        made, took = paced_stream(base, token, ids[200:], stages, args.stream, 10_000, versions)
        print(f"  the stream's rule work drained {wait_until_drained(database, poll=0.2, limit=120):.1f} s after its last change")
        time.sleep(1)
        sampler.stop()
        latencies = notice_latencies(database, sampler, since)
        print(f"paced stream: {made} changes in {took:.0f} s ({made / took * 60:.0f}/min); {len(latencies)} rule notices: "
              f"commit to inbox p50 {percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms (target p99 < 1000 ms)")
        took = deadlines(base, token, workspace, database, args.deadlines)
        print(f"{args.deadlines} deadline warnings due in the same minute: all in inboxes {took:.1f} s after the sweep began (target < 60 s)")
    queued, sent, received = emails(args.binary, args.emails, workdir)
    print(f"{args.emails} invitation emails: queued in {queued:.1f} s, {received} at the SMTP sink {sent:.1f} s after the first (target < 60 s)")


if __name__ == "__main__":
    main()
