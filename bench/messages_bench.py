#!/usr/bin/env python3
"""Messages under load (issue 16), against the release binary on SQLite, one process:

1. Posting a message (HTTP, wrk): target >= 0.1x the hello route (GET /healthz) in the same run.
2. Unread counts for a person in 200 channels (GET /api/v1/me/unread, wrk): target < 5 ms.
3. 1,000 WebSocket clients in one channel: from just before the POST to each client receiving
   the message's event; target p99 < 50 ms.
4. 100,000 messages scheduled for the same minute: all delivered within 60 s of that minute's
   end, lateness (posted at - due at) p99 < 1 s.

    swift build -c release --product baton && python3 bench/messages_bench.py
"""
import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, running_server, run_wrk  # noqa: E402
from rules_bench import call  # noqa: E402
import raw_sockets  # noqa: E402


def people(base, token, workspace, count, prefix):
    made = []
    for n in range(count):
        invite = call(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"{prefix}{n}@bench.test"}, token)
        made.append(call(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
                         {"name": f"Person {prefix}{n}", "password": "bench password 2"}))
    return made


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def socket_latency(port, tokens, workspace, channel, poster, messages):
    """Send-to-receive latency of `messages` posts, each to every socket: from just before the POST to
    the event's bytes reaching the client (see raw_sockets for why the client is hand-written)."""
    wait_ready, collect = raw_sockets.listen(port, f"/api/v1/live?workspace_id={workspace}", tokens, len(tokens) * messages)
    wait_ready()
    sent = {}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for n in range(messages):
        start = time.monotonic()
        connection.request("POST", f"/api/v1/channels/{channel}/messages", json.dumps({"body": f"Update {n}"}),
                           {"Authorization": f"Bearer {poster}", "Content-Type": "application/json"})
        sent[json.loads(connection.getresponse().read())["id"].upper()] = start
        time.sleep(0.2)
    received = collect()
    latencies = [(at - sent[mid]) * 1000 for mid, times in received.items() if mid in sent for at in times]
    return latencies, sum(len(v) for v in received.values())


def schedule_many(port, token, channels, count, due, workers=16):
    """`count` messages due within one minute from `due`, spread over the second it is due in."""
    def batch(start):
        connection = http.client.HTTPConnection("127.0.0.1", port)
        for n in range(start, count, workers):
            at = due + datetime.timedelta(seconds=(n * 60.0 / count))
            connection.request("POST", f"/api/v1/channels/{channels[n % len(channels)]}/scheduled-messages",
                               json.dumps({"body": f"Check-in {n}", "send_at": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}),
                               {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            reply = connection.getresponse()
            body = reply.read()
            if reply.status != 201:
                raise RuntimeError(f"{reply.status} {body[:300]}")
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(batch, range(workers)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--scheduled", type=int, default=100_000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "baton"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="baton-messages-bench-")
    database = os.path.join(workdir, "bench.sqlite")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)
    results = {}
    with running_server(args.binary, database, env, log=os.path.join(workdir, "server.log")) as base:
        port = int(base.rsplit(":", 1)[1])
        signup = call(base, "POST", "/api/v1/auth/signup", {"email": "maya@bench.test", "password": "bench password 1",
                                                             "name": "Maya Lead", "workspace_name": "Bench"})
        token, workspace = signup["token"], signup["workspace"]["id"]
        crowd = people(base, token, workspace, args.sockets, "p")
        channel = call(base, "POST", f"/api/v1/workspaces/{workspace}/channels", {"kind": "public", "name": "everyone"}, token)["id"]
        ids = [person["user"]["id"] for person in crowd]
        for start in range(0, len(ids), 500):
            call(base, "POST", f"/api/v1/channels/{channel}/members", {"user_ids": ids[start:start + 500]}, token)

        # 1. posting, against hello
        run_wrk(base + "/healthz", 2, args.connections, args.threads)
        results["hello"] = run_wrk(base + "/healthz", args.duration, args.connections, args.threads)
        post = (base + f"/api/v1/channels/{channel}/messages", args.connections, args.threads, (f"Authorization: Bearer {token}",),
                "post_message.lua")
        run_wrk(post[0], 2, *post[1:])
        results["post"] = run_wrk(post[0], args.duration, *post[1:])

        # 2. unread counts over 200 channels
        reader = crowd[0]
        for n in range(200):
            extra = call(base, "POST", f"/api/v1/workspaces/{workspace}/channels",
                         {"kind": "private", "name": f"room {n}", "member_ids": [reader["user"]["id"]]}, token)["id"]
            for m in range(3):
                call(base, "POST", f"/api/v1/channels/{extra}/messages", {"body": f"note {m}"}, token)
        unread = call(base, "GET", f"/api/v1/me/unread?workspace_id={workspace}", token=reader["token"])
        assert len(unread["channels"]) == 201, len(unread["channels"])
        results["unread"] = run_wrk(base + f"/api/v1/me/unread?workspace_id={workspace}", args.duration, 1, 1,
                                    (f"Authorization: Bearer {reader['token']}",))

        # 3. 1,000 sockets in one channel
        latencies, delivered = socket_latency(port, [p["token"] for p in crowd], workspace, channel, token, 20)
        results["sockets"] = (latencies, delivered)

        # 4. 100,000 scheduled for one minute (--scheduled 0 skips it)
        if not args.scheduled:
            print_results(args, results)
            return
        targets = [call(base, "POST", f"/api/v1/workspaces/{workspace}/channels", {"kind": "public", "name": f"sched {n}"}, token)["id"]
                   for n in range(20)]
        due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=max(120, args.scheduled / 600))).replace(microsecond=0)
        started = time.time()
        schedule_many(port, token, targets, args.scheduled, due)
        scheduling = time.time() - started
        if datetime.datetime.now(datetime.timezone.utc) > due:
            sys.exit("scheduling took longer than the lead time: raise it")
        end = due + datetime.timedelta(seconds=60)
        db = sqlite3.connect(database)
        while True:
            pending = db.execute("SELECT COUNT(*) FROM scheduled_messages WHERE status = 'pending'").fetchone()[0]
            now = datetime.datetime.now(datetime.timezone.utc)
            if pending == 0 or now > end + datetime.timedelta(seconds=120):
                break
            time.sleep(0.5)
        finished = datetime.datetime.now(datetime.timezone.utc)
        lateness = [row[0] for row in db.execute("""
            SELECT messages.created_at - scheduled_messages.send_at FROM scheduled_messages
            JOIN messages ON messages.id = scheduled_messages.last_message_id""")]
        doubles = db.execute("SELECT COUNT(*) FROM messages WHERE delivery_key IS NOT NULL GROUP BY delivery_key HAVING COUNT(*) > 1").fetchall()
        results["scheduled"] = (pending, lateness, (finished - end).total_seconds(), scheduling, len(doubles))
    print_results(args, results)


def print_results(args, results):
    hello = results["hello"]
    print(f"SQLite, one process; wrk duration={args.duration}s connections={args.connections} threads={args.threads}")
    print(f"{'target':<44}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'errors':>8}")
    for name, result in [("hello (GET /healthz)", hello), ("post a message (1,000 members)", results["post"]),
                         ("unread counts, 201 channels", results["unread"])]:
        print(f"{name:<44}{result['rps']:>10.0f}{result['p50']:>9.2f}{result['p99']:>9.2f}{result['rps'] / hello['rps']:>8.2f}{result['errors']:>8}")
    latencies, delivered = results["sockets"]
    print(f"\n{args.sockets} sockets, 20 messages: {delivered} deliveries; send-to-receive p50 {percentile(latencies, 50):.1f} ms, "
          f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms (target p99 < 50 ms)")
    if results["post"]["errors"] or results["unread"]["errors"]:
        sys.exit("errors during the benchmark")
    if "scheduled" not in results:
        return
    pending, lateness, after_end, scheduling, doubles = results["scheduled"]
    print(f"\n{args.scheduled} scheduled for one minute (created in {scheduling:.0f} s): {len(lateness)} delivered, {pending} left, "
          f"{doubles} delivered twice; the last {after_end:+.1f} s after the minute ended (target <= 60 s); lateness p50 "
          f"{percentile(lateness, 50):.2f} s, p99 {percentile(lateness, 99):.2f} s, max {max(lateness):.2f} s (target p99 < 1 s)")
    if pending or doubles:
        sys.exit("errors during the benchmark")


if __name__ == "__main__":
    main()
