#!/usr/bin/env python3
"""Approvals under load (issue 15), against the release binary on SQLite, as ratios against the
hello route measured in the same run:

1. Submitting a request (the route computed from the values, the people resolved, the path,
   waits, events and timeouts written): target >= 0.1x hello.
2. Approving a step of a pending request (the next step opens): target >= 0.1x hello.

Routing alone (50 branches over 5,000 people) is measured by `routing-bench`, in Swift:

    swift build -c release --product baton --product routing-bench && python3 bench/approvals_bench.py
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, running_server, run_wrk  # noqa: E402
from rules_bench import call  # noqa: E402


def seed(base):
    signup = call(base, "POST", "/api/v1/auth/signup", {"email": "maya@bench.test", "password": "bench password 1",
                                                         "name": "Maya Lead", "workspace_name": "Bench"})
    token, workspace, maya = signup["token"], signup["workspace"]["id"], signup["user"]["id"]
    invite = call(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": "tom@bench.test"}, token)
    tom = call(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
               {"name": "Tom Report", "password": "bench password 2"})
    call(base, "PATCH", f"/api/v1/workspaces/{workspace}/members/{tom['user']['id']}", {"manager_id": maya}, token)
    step = lambda name, approvers: {"name": name, "approvers": approvers, "quorum": {"type": "any_one"}}
    branches = [{"name": f"Band {n}", "conditions": [{"field": "amount", "op": "ge", "value": str(n * 5000)},
                                                     {"field": "amount", "op": "lt", "value": str((n + 1) * 5000)}],
                 "steps": [step("Manager", [{"type": "requester_manager"}]), step("Owner", [{"type": "people", "people": [maya]}])]}
                for n in range(1, 20)]
    template = call(base, "POST", f"/api/v1/workspaces/{workspace}/approval-templates", {
        "name": "Purchase", "fields": [{"key": "item", "label": "Item", "type": "text", "required": True},
                                       {"key": "amount", "label": "Amount", "type": "money", "required": True}],
        "flow": {"branches": branches, "default_steps": [step("Manager", [{"type": "requester_manager"}]),
                                                         step("Owner", [{"type": "people", "people": [maya]}])]},
        "policy": {"repeat_approver_auto_approves": False}, "remind_after_hours": 24, "escalate_after_hours": 72, "escalate_to": "manager",
    }, token)
    return token, workspace, tom["token"], template["id"]


def waiting_ids(base, token, workspace):
    ids, after = [], None
    while True:
        page = call(base, "GET", f"/api/v1/workspaces/{workspace}/approval-requests?view=to_approve&limit=200"
                    + (f"&after={after}" if after else ""), token=token)
        ids += [item["id"] for item in page["data"] if item["current_step"] == "Manager"]
        after = page["next_cursor"]
        if not after:
            return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "baton"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="baton-approvals-bench-")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)
    with running_server(args.binary, os.path.join(workdir, "bench.sqlite"), env) as base:
        token, workspace, tom, template = seed(base)
        run_wrk(base + "/healthz", 2, args.connections, args.threads)  # warm-up
        hello = run_wrk(base + "/healthz", args.duration, args.connections, args.threads)
        submit_args = (base + "/healthz", args.connections, args.threads, (f"Authorization: Bearer {tom}",), ["submit_request.lua", template])
        run_wrk(submit_args[0], 2, *submit_args[1:])  # warm-up
        submit = run_wrk(submit_args[0], args.duration, *submit_args[1:])
        # more pending requests than the approvals can use up
        run_wrk(submit_args[0], 2 * args.duration, *submit_args[1:])
        ids = waiting_ids(base, token, workspace)
        with open(os.path.join(workdir, "ids.txt"), "w") as handle:
            handle.write("\n".join(ids))
        approve_args = (args.connections, args.threads, (f"Authorization: Bearer {token}",),
                        ["approve_step.lua", os.path.join(workdir, "ids.txt"), str(args.threads)])
        approve = run_wrk(base + "/healthz", args.duration, *approve_args)
        left = len(waiting_ids(base, token, workspace))
    used = len(ids) - left
    print(f"SQLite, duration={args.duration}s connections={args.connections} threads={args.threads}; "
          f"{len(ids)} pending requests, {used} approved in the run")
    print(f"{'target':<36}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'errors':>8}")
    for name, result in [("hello (GET /healthz)", hello), ("submit a request", submit), ("approve a step", approve)]:
        print(f"{name:<36}{result['rps']:>10.0f}{result['p50']:>9.2f}{result['p99']:>9.2f}{result['rps'] / hello['rps']:>8.2f}{result['errors']:>8}")
    if used >= len(ids):
        sys.exit("the approvals ran out of pending requests: the approve figure repeats requests")
    if submit["errors"] or approve["errors"]:
        sys.exit("errors during the benchmark")


if __name__ == "__main__":
    main()
