"""Browser tests: the real `baton` binary on a scratch SQLite file, driven by headless Chromium."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("BATON_BINARY", str(ROOT / ".build" / "debug" / "baton"))
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="baton-e2e-")
    env = dict(os.environ, BATON_ENV="development")
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(workdir, "server.log"), "w")
    process = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--db", os.path.join(workdir, "e2e.sqlite")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(base + "/readyz", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("server did not start: " + open(os.path.join(workdir, "server.log")).read())
    yield base
    process.terminate()
    process.wait(timeout=10)


def make_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


@pytest.fixture
def second_browser():
    driver = make_browser()
    yield driver
    driver.quit()


def screenshot(driver, name):
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
