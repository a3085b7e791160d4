"""Scheduled messages with the real binary: SIGKILL the server as they fall due, start it again,
and each is posted exactly once; two servers on one PostgreSQL post each once between them, and a
message posted through one reaches a socket open on the other, as do typing and presence."""
import json
import os
import signal
import sqlite3
import tempfile
import time
import uuid

import pytest
import websocket

from test_board import api
from test_restart import iso, psql, start, wait_for


def chat(base, scheduled, due_in):
    email = f"maya-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(base, "POST", "/api/v1/auth/signup", {"email": email, "password": "maya password 123",
                                                       "name": "Maya Lead", "workspace_name": "Check-in Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    channel = api(base, "POST", f"/api/v1/workspaces/{workspace}/channels", {"kind": "public", "name": "check-ins"}, token)
    for number in range(scheduled):
        api(base, "POST", f"/api/v1/channels/{channel['id']}/scheduled-messages",
            {"body": f"Check-in {number}", "send_at": iso(due_in + number % 3)}, token)
    return token, workspace, channel["id"]


def live(base, workspace, token):
    socket = websocket.create_connection(base.replace("http", "ws") + f"/api/v1/live?workspace_id={workspace}",
                                         header=[f"Authorization: Bearer {token}"], timeout=10)
    assert json.loads(socket.recv())["type"] == "hello"
    return socket


def frame(socket, wanted, within=10):
    """The next frame that `wanted` accepts; fails after `within` seconds."""
    deadline = time.time() + within
    while time.time() < deadline:
        socket.settimeout(max(0.1, deadline - time.time()))
        data = json.loads(socket.recv())
        if wanted(data):
            return data
    raise AssertionError("no such frame")


def frames_for(socket, seconds):
    frames, deadline = [], time.time() + seconds
    while time.time() < deadline:
        socket.settimeout(max(0.05, deadline - time.time()))
        try:
            frames.append(json.loads(socket.recv()))
        except websocket.WebSocketTimeoutException:
            break
    return frames


def test_sigkill_as_scheduled_messages_fall_due_then_restart_posts_each_once():
    workdir = tempfile.mkdtemp(prefix="baton-kill-messages-")
    db = os.path.join(workdir, "kill.sqlite")
    process, base = start(["--db", db], workdir=workdir)
    started = time.time()
    chat(base, 40, 6)
    time.sleep(max(0, started + 6.5 - time.time()))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    def count(sql):
        with sqlite3.connect(db, timeout=10) as connection:
            return connection.execute(sql).fetchone()[0]

    process, base = start(["--db", db], workdir=workdir)
    try:
        wait_for(lambda: count("SELECT count(*) FROM scheduled_messages WHERE status = 'pending'") == 0, 60, "every scheduled message")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        process, base = start(["--db", db], workdir=workdir)
        time.sleep(3)
        assert count("SELECT count(*) FROM messages") == 40
        assert count("SELECT count(DISTINCT delivery_key) FROM messages") == 40
        assert count("SELECT count(*) FROM scheduled_messages WHERE status = 'sent' AND sent_count = 1") == 40
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.skipif(not os.environ.get("BATON_TEST_POSTGRES_URL"), reason="needs BATON_TEST_POSTGRES_URL (CI sets it)")
def test_two_servers_on_one_postgres_post_each_scheduled_message_once_and_share_live_messages():
    admin = os.environ["BATON_TEST_POSTGRES_URL"]
    name = f"baton_chat_{uuid.uuid4().hex[:8]}"
    psql(admin, f"CREATE DATABASE {name}")
    url = admin.rsplit("/", 1)[0] + "/" + name
    workdir = tempfile.mkdtemp(prefix="baton-twins-chat-")
    first, base = start([], {"DATABASE_URL": url}, "first.log", workdir)
    second, other = start([], {"DATABASE_URL": url}, "second.log", workdir)
    try:
        token, workspace, channel = chat(base, 150, 6)
        wait_for(lambda: psql(url, "SELECT count(*) FROM scheduled_messages WHERE status = 'pending'") == "0", 90,
                 "every scheduled message")
        time.sleep(2)
        assert psql(url, "SELECT count(*) FROM messages") == "150"
        assert psql(url, "SELECT count(DISTINCT delivery_key) FROM messages") == "150"
        # both servers took part, or at least none posted twice
        assert psql(url, "SELECT count(*) FROM scheduled_messages WHERE sent_count <> 1") == "0"

        # a socket on the second server hears a message posted through the first
        socket = live(other, workspace, token)
        time.sleep(0.5)
        posted = api(base, "POST", f"/api/v1/channels/{channel}/messages", {"body": "Across the nodes"}, token)
        deadline = time.time() + 10
        seen = False
        while time.time() < deadline and not seen:
            data = json.loads(socket.recv())
            event = data.get("event") or {}
            seen = event.get("kind") == "message.posted" and event.get("data", {}).get("message_id", "").upper() == posted["id"].upper()
        socket.close()
        assert seen

        # typing and presence cross too: Ben listens on the second server, Maya comes and goes on the first
        invite = api(base, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"ben-{uuid.uuid4().hex[:6]}@acme.test"}, token)
        ben = api(base, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
                  {"name": "Ben Okafor", "password": "ben password 123"})
        api(base, "POST", f"/api/v1/channels/{channel}/members", {"user_ids": [ben["user"]["id"]]}, token)
        maya_id = api(base, "GET", "/api/v1/me", token=token)["user"]["id"]
        listener = live(other, workspace, ben["token"])
        maya = live(base, workspace, token)
        assert frame(listener, lambda f: f.get("type") == "presence" and f["user_id"].lower() == maya_id.lower())["status"] == "online"
        presence = api(other, "GET", f"/api/v1/workspaces/{workspace}/presence", token=ben["token"])["data"]
        assert {k.lower(): v for k, v in presence.items()}.get(maya_id.lower()) == "online", presence
        maya.send(json.dumps({"type": "typing", "room_id": channel}))
        typing = frame(listener, lambda f: f.get("type") == "typing")
        assert typing["user_id"].lower() == maya_id.lower() and typing["room_id"].lower() == channel.lower()
        maya.send(json.dumps({"type": "presence", "status": "away"}))
        assert frame(listener, lambda f: f.get("type") == "presence")["status"] == "away"
        # a second socket on the second server keeps her there when the first closes
        again = live(other, workspace, token)
        assert frame(listener, lambda f: f.get("type") == "presence")["status"] == "online"
        maya.close()
        quiet = frames_for(listener, 1.5)
        assert not [f for f in quiet if f.get("type") == "presence" and f["status"] == "offline"], quiet
        presence = api(other, "GET", f"/api/v1/workspaces/{workspace}/presence", token=ben["token"])["data"]
        assert {k.lower(): v for k, v in presence.items()}.get(maya_id.lower()) == "online", presence
        again.close()
        assert frame(listener, lambda f: f.get("type") == "presence" and f["status"] == "offline")
        # a server that shuts down says goodbye: its people go offline elsewhere at once, not a minute later
        maya = live(base, workspace, token)
        assert frame(listener, lambda f: f.get("type") == "presence" and f["status"] == "online")
        first.terminate()
        first.wait(timeout=30)
        assert frame(listener, lambda f: f.get("type") == "presence" and f["status"] == "offline", within=10)
        listener.close()
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=10)
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
