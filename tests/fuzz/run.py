#!/usr/bin/env python3
"""Fuzzes the API with schemathesis: starts the real server (a scratch SQLite file, or --postgres), seeds a
workspace through the API, and runs every operation of the OpenAPI document against it with the
checks not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. Prints how many requests the server answered; fails when schemathesis
finds anything or when fewer than --min-requests were made.

    swift build && python3 tests/fuzz/run.py [--binary .build/debug/baton] [--postgres postgres://…/empty_db]
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench import running_server  # noqa: E402  (starts `baton serve` on a free port, waits for /readyz)


def call(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, method=method, headers=headers, data=data)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def answered(base):
    """Requests the server has answered so far, by (method, route pattern) and status, from its own
    metrics (read from loopback)."""
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    counts = {}
    for method, route, status, count in re.findall(
            r'^baton_http_requests_total\{method="([A-Z]+)",route="([^"]*)",status="(\d+)"\} (\d+)$', text, re.M):
        counts[(method, blank(route), int(status))] = int(count)
    return counts


def blank(path):
    """`/tasks/:taskID` and `/tasks/{task_id}` are the same operation."""
    return "/".join("{}" if part.startswith((":", "{")) else part for part in path.split("/"))


def reached_only_404(base, before, after):
    """Documented operations that never answered anything but 404 during the run."""
    document = json.load(urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=10))
    missing = []
    for path, operations in document["paths"].items():
        for method in operations:
            key = (method.upper(), blank(path))
            statuses = {status for (m, route, status), count in after.items()
                        if (m, route) == key and count > before.get((m, route, status), 0)}
            if not statuses - {404}:
                missing.append(f"{method.upper()} {path}: {sorted(statuses) or 'never called'}")
    return missing


def seed(base):
    owner = call(base, "POST", "/api/v1/auth/signup", {"email": "owner@fuzz.test", "password": "fuzzing password 1",
                                                        "name": "Fuzz Owner", "workspace_name": "Fuzz"})
    token, workspace = owner["token"], owner["workspace"]["id"]
    ws = f"/api/v1/workspaces/{workspace}"

    def member(email, name):
        invite = call(base, "POST", f"{ws}/invitations", {"email": email}, token)
        secret = invite["accept_url"].rsplit("/", 1)[1]
        return call(base, "POST", f"/api/v1/invitations/{secret}/accept", {"name": name, "password": "fuzzing password 1"})["user"]["id"]

    member_id = member("member@fuzz.test", "Fuzz Member")
    spare_member = member("spare@fuzz.test", "Spare Member")
    team = call(base, "POST", f"{ws}/teams", {"name": "Fuzzers"}, token)["id"]
    call(base, "POST", f"{ws}/teams/{team}/members", {"user_id": member_id}, token)
    invitation = call(base, "POST", f"{ws}/invitations", {"email": "pending@fuzz.test"}, token)
    spare_invitation = call(base, "POST", f"{ws}/invitations", {"email": "revoke@fuzz.test"}, token)
    personal = call(base, "POST", "/api/v1/me/tokens", {"name": "Fuzz token"}, token)
    logout = call(base, "POST", "/api/v1/auth/login", {"email": "owner@fuzz.test", "password": "fuzzing password 1"})["token"]
    project = call(base, "POST", f"{ws}/projects", {"name": "Fuzz project", "member_ids": [member_id]}, token)
    stages = {stage["name"]: stage["id"] for stage in project["stages"]}
    spare_stage = call(base, "POST", f"/api/v1/projects/{project['id']}/stages", {"name": "Spare"}, token)["id"]
    call(base, "POST", f"/api/v1/projects/{project['id']}/fields", {"name": "Budget", "type": "money", "currency": "EUR"}, token)
    task = call(base, "POST", f"/api/v1/projects/{project['id']}/tasks", {
        "title": "Fuzz target", "assignee_id": member_id, "due_at": "2030-01-01T17:00:00Z",
        "brief": {"outcome": "Survive the fuzzer", "checklist": ["Nothing breaks"],
                  "checkpoints": [{"title": "Halfway", "due_at": "2029-06-01T17:00:00Z"}]}}, token)
    call(base, "POST", f"/api/v1/tasks/{task['task']['id']}/comments", {"body": "Seeded comment"}, token)
    reminders = [call(base, "POST", f"/api/v1/tasks/{task['task']['id']}/reminders", {"remind_at": "2031-01-01T09:00:00Z"}, token)["id"]
                 for _ in range(2)]
    rules = [call(base, "POST", f"/api/v1/projects/{project['id']}/rules", {"template_key": key}, token)["id"]
             for key in ("checkpoint_missed", "urgent_created")]
    owner_id = owner["user"]["id"]
    call(base, "PATCH", f"{ws}/members/{member_id}", {"manager_id": owner_id}, token)
    call(base, "PUT", f"{ws}/decision-rights", {"decisions": [{"key": "budget", "label": "Budget", "entries": [
        {"holder": {"type": "role", "role": "member"}, "right": "decide", "up_to_amount": 500},
        {"holder": {"type": "person", "user_id": owner_id}, "right": "approve"}]}]}, token)
    step = lambda name, approvers: {"name": name, "approvers": approvers, "quorum": {"type": "any_one"}}
    template = call(base, "POST", f"{ws}/approval-templates", {
        "name": "Fuzz purchase", "decision": "budget",
        "fields": [{"key": "item", "label": "Item", "type": "text", "required": True},
                   {"key": "amount", "label": "Amount", "type": "money", "required": True, "currency": "EUR"},
                   {"key": "tier", "label": "Tier", "type": "client_tier"}],
        "flow": {"branches": [{"name": "Large", "conditions": [{"field": "amount", "op": "gt", "value": "1000"}],
                               "steps": [step("Manager", [{"type": "requester_manager"}]), step("Budget", [{"type": "matrix", "decision": "budget"}])]}],
                 "default_steps": [step("Manager", [{"type": "requester_manager"}])]},
        "remind_after_hours": 24, "escalate_after_hours": 48, "escalate_to": "manager"}, token)
    member_token = call(base, "POST", "/api/v1/auth/login", {"email": "member@fuzz.test", "password": "fuzzing password 1"})["token"]
    request = call(base, "POST", f"/api/v1/approval-templates/{template['id']}/requests",
                   {"values": {"item": "Fuzz desk", "amount": 4000}, "task_id": task["task"]["id"]}, member_token)
    channel = call(base, "POST", f"{ws}/channels", {"kind": "public", "name": "fuzz", "member_ids": [member_id, spare_member]}, token)["id"]
    message = call(base, "POST", f"/api/v1/channels/{channel}/messages", {"body": "Fuzz @channel #1"}, token)["id"]
    spare_message = call(base, "POST", f"/api/v1/channels/{channel}/messages", {"body": "Spare"}, token)["id"]
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = call(base, "POST", f"/api/v1/channels/{channel}/scheduled-messages", {"body": "Later", "send_at": soon}, token)["id"]
    spare_scheduled = call(base, "POST", f"/api/v1/channels/{channel}/scheduled-messages", {"body": "Spare", "send_at": soon}, token)["id"]
    pin = call(base, "POST", f"/api/v1/channels/{channel}/pins", {"kind": "message", "message_id": message}, token)["id"]
    hook = call(base, "POST", f"/api/v1/channels/{channel}/webhook", {}, token)["secret"]
    return {
        "FUZZ_CHANNEL": channel, "FUZZ_MESSAGE": message, "FUZZ_SPARE_MESSAGE": spare_message, "FUZZ_SCHEDULED": scheduled,
        "FUZZ_SPARE_SCHEDULED": spare_scheduled, "FUZZ_PIN": pin, "FUZZ_HOOK": hook,
        "FUZZ_TEMPLATE": template["id"], "FUZZ_REQUEST": request["id"],
        "FUZZ_RULE": rules[0], "FUZZ_SPARE_RULE": rules[1],
        "FUZZ_REMINDER": reminders[0], "FUZZ_SPARE_REMINDER": reminders[1],
        "FUZZ_TOKEN": token, "FUZZ_WORKSPACE": workspace, "FUZZ_PROJECT": project["id"], "FUZZ_TASK": task["task"]["id"],
        "FUZZ_STAGE": stages["In progress"], "FUZZ_SPARE_STAGE": spare_stage,
        "FUZZ_ITEM": task["brief"]["checklist"][0]["id"], "FUZZ_CHECKPOINT": task["brief"]["checkpoints"][0]["id"],
        "FUZZ_TEAM": team, "FUZZ_MEMBER": member_id, "FUZZ_SPARE_MEMBER": spare_member,
        "FUZZ_INVITATION": invitation["id"], "FUZZ_SPARE_INVITATION": spare_invitation["id"],
        "FUZZ_SECRET": invitation["accept_url"].rsplit("/", 1)[1],
        "FUZZ_PERSONAL_TOKEN": personal["id"], "FUZZ_LOGOUT_TOKEN": logout,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "baton"))
    parser.add_argument("--min-requests", type=int, default=1000)
    parser.add_argument("--max-time", type=int, default=180, help="seconds schemathesis may take (it stops there)")
    parser.add_argument("--seed", help="schemathesis's random seed, to replay a run")
    parser.add_argument("--server-log", help="file to keep the server's output in (LOG_LEVEL applies)")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database to run against (default: a scratch SQLite file)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="baton-fuzz-")
    env = dict(os.environ, BATON_BCRYPT_COST="4")
    env.setdefault("LOG_LEVEL", "error")
    env.pop("DATABASE_URL", None)
    with running_server(args.binary, args.postgres or os.path.join(workdir, "fuzz.sqlite"), env, log=args.server_log) as base:
        ids = seed(base)
        before = answered(base)
        started = time.time()
        # The CLI through this Python, wherever pip put its script.
        cli = [sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())"]
        result = subprocess.run(cli + ["--config-file", os.path.join(ROOT, "tests", "fuzz", "schemathesis.toml"), "run",
                                 f"{base}/api/v1/openapi.json", "--url", base, "--max-time", str(args.max_time),
                                 "--workers", "2", "--continue-on-failure", "--warnings", "off"]
                                + (["--seed", args.seed] if args.seed else []),
                                env=dict(os.environ, **ids), cwd=workdir)
        after = answered(base)
        made = sum(after.values()) - sum(before.values()) - 1
        print(f"schemathesis made {made} requests in {time.time() - started:.0f} s (exit {result.returncode})")
        only_404 = reached_only_404(base, before, after)
    for line in only_404:
        print(f"  only ever 404: {line}")
    if result.returncode != 0:
        sys.exit("schemathesis found problems (see above)")
    if made < args.min_requests:
        sys.exit(f"only {made} requests, fewer than {args.min_requests}")
    if only_404:
        sys.exit(f"{len(only_404)} operations were only ever reached with ids that answer 404")

if __name__ == "__main__":
    main()
