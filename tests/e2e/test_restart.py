"""Durability with the real binary: SIGKILL the server just as a reminder and a date rule fall due,
start it again, and each fires exactly once; two servers on one PostgreSQL run each due job once."""
import datetime
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

from conftest import ROOT, free_port
from test_board import api

BINARY = os.environ.get("BATON_BINARY", str(ROOT / ".build" / "debug" / "baton"))


def start(args, env_extra=None, log_name="server.log", workdir=None):
    port = free_port()
    env = dict(os.environ, BATON_ENV="development")
    env.pop("DATABASE_URL", None)
    env.update(env_extra or {})
    log = open(os.path.join(workdir, log_name), "a")
    process = subprocess.Popen([BINARY, "serve", "--port", str(port)] + args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(base + "/readyz", timeout=1).status == 200:
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start: " + open(os.path.join(workdir, log_name)).read())


def iso(delta_seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_seconds)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def team(base, tasks=1, reminders=1, remind_in=4):
    """Maya, Tom, a project whose rule warns the assignee of any deadline within 48 hours, tasks
    due tomorrow, and Maya's reminders on them due in a few seconds."""
    email = f"maya-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(base, "POST", "/api/v1/auth/signup", {"email": email, "password": "maya password 123",
                                                       "name": "Maya Lead", "workspace_name": "Durable Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    invite = api(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"tom-{email}"}, token)
    tom = api(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
              {"name": "Tom Report", "password": "tom password 123"})
    project = api(base, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)
    api(base, "POST", f"/api/v1/projects/{project['id']}/rules", {
        "name": "Deadline warning", "trigger": {"type": "due_soon", "within_hours": 48, "unchanged_hours": 0},
        "actions": [{"type": "notify", "recipients": ["assignee"], "message": "Due soon: {{title}}"}]}, token)
    task_ids = []
    for number in range(tasks):
        task = api(base, "POST", f"/api/v1/projects/{project['id']}/tasks",
                   {"title": f"Contract {number}", "assignee_id": tom["user"]["id"], "due_at": iso(86400)}, token)["task"]
        task_ids.append(task["id"])
    due = time.time() + remind_in
    for number in range(reminders):
        api(base, "POST", f"/api/v1/tasks/{task_ids[number % tasks]}/reminders",
            {"remind_at": iso(remind_in), "note": f"Check in {number}"}, token)
    return due


def wait_for(check, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigkill_while_due_then_restart_fires_each_once():
    workdir = tempfile.mkdtemp(prefix="baton-kill-")
    db = os.path.join(workdir, "kill.sqlite")
    process, base = start(["--db", db], workdir=workdir)
    due = team(base)
    # act: kill -9 the moment the reminder falls due, while the rule's sweep is pending
    time.sleep(max(0, due - time.time()))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    killed_at = time.time()

    def count(sql):
        with sqlite3.connect(db, timeout=10) as connection:
            return connection.execute(sql).fetchone()[0]

    reminders = "SELECT count(*) FROM events WHERE kind = 'reminder.due'"
    alerts = "SELECT count(*) FROM events WHERE kind = 'rule.notified'"
    # restart: both arrive (the sweep runs at most a minute after the start)
    process, base = start(["--db", db], workdir=workdir)
    try:
        wait_for(lambda: count(reminders) == 1 and count(alerts) == 1, 90, "the reminder and the deadline warning")
        wait_for(lambda: count("SELECT count(*) FROM notifications") >= 2, 20, "the inbox entries")
        # kill and start again; once a sweep has run after that, still one of each
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        restarted = datetime.datetime.now(datetime.timezone.utc)
        process, base = start(["--db", db], workdir=workdir)
        wait_for(lambda: count("SELECT count(*) FROM jobs WHERE kind = 'rule.sweep' AND done_at IS NOT NULL "
                               f"AND done_at > {restarted.timestamp()}") >= 1
                 or count("SELECT count(*) FROM jobs WHERE kind = 'rule.sweep' AND done_at IS NOT NULL "
                          f"AND done_at > '{restarted.strftime('%Y-%m-%d %H:%M:%S')}'") >= 1, 90, "a sweep after the restart")
        assert count(reminders) == 1 and count(alerts) == 1
        assert count("SELECT count(*) FROM rule_runs") == 1
        assert time.time() - killed_at < 240
    finally:
        process.terminate()
        process.wait(timeout=10)


def psql(url, sql):
    return subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(not os.environ.get("BATON_TEST_POSTGRES_URL"), reason="needs BATON_TEST_POSTGRES_URL (CI sets it)")
def test_two_servers_on_one_postgres_run_each_due_job_once():
    admin = os.environ["BATON_TEST_POSTGRES_URL"]
    name = f"baton_twins_{uuid.uuid4().hex[:8]}"
    psql(admin, f"CREATE DATABASE {name}")
    url = admin.rsplit("/", 1)[0] + "/" + name
    workdir = tempfile.mkdtemp(prefix="baton-twins-")
    first, base = start([], {"DATABASE_URL": url}, "first.log", workdir)
    second, _ = start([], {"DATABASE_URL": url}, "second.log", workdir)
    try:
        team(base, tasks=20, reminders=30, remind_in=5)
        wait_for(lambda: psql(url, "SELECT count(*) FROM events WHERE kind = 'reminder.due'") == "30"
                 and psql(url, "SELECT count(*) FROM events WHERE kind = 'rule.notified'") == "20", 120, "30 reminders and 20 warnings")
        time.sleep(3)
        assert psql(url, "SELECT count(*) FROM events WHERE kind = 'reminder.due'") == "30"
        assert psql(url, "SELECT count(*) FROM events WHERE kind = 'rule.notified'") == "20"
        assert psql(url, "SELECT count(DISTINCT data) FROM events WHERE kind = 'reminder.due'") == "30"
        assert psql(url, "SELECT count(*) FROM rule_runs") == "20"
        # no job was taken by both: none needed a second attempt
        assert psql(url, "SELECT count(*) FROM jobs WHERE done_at IS NOT NULL AND attempts > 1") == "0"
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=10)
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
