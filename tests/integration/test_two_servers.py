"""Two servers, one truth: two ``motcua serve`` processes on PostgreSQL behind Debian's
nginx. A session opened on one is valid on the other, guesses are counted across both,
and when one server is killed under load no request that was answered 2xx is lost.
Bounded: about 40 requests of load, a kill, a minute at most."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from motcua.services import dossiers as uc
from motcua.services.officials import create_api_token
from tests.conftest import PG_URL
from tests.e2e.test_web import form_tokens
from tests.personas import CITIZEN
from tests.ports import free_port

NGINX = "/usr/sbin/nginx"
pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (MOTCUA_TEST_DATABASE_URL)"),
    pytest.mark.skipif(not Path(NGINX).exists(), reason="needs Debian's nginx (make test)"),
]


def _wait(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the process ended ({process.returncode}): "
                                 f"{process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


NGINX_CONF = """
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  client_max_body_size 60m;
  upstream motcua {{
    server 127.0.0.1:{a} max_fails=1 fail_timeout=30s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=30s;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://motcua;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }}
  }}
}}
"""


@pytest.fixture
def cluster(app, world, tmp_path):
    env = {**os.environ, "MOTCUA_DATABASE_URL": PG_URL,
           "MOTCUA_DATA_DIR": str(app.settings.data_dir)}
    ports = []
    while len(ports) < 3:
        port = free_port()
        if port not in ports:
            ports.append(port)
    servers = [subprocess.Popen(
        [sys.executable, "-m", "motcua.cli.main", "serve", "--port", str(port), "--workers", "1",
         "--trusted-proxies", "127.0.0.1"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True) for port in ports[:2]]
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        user="user root;" if os.geteuid() == 0 else "", dir=tmp_path, a=ports[0], b=ports[1],
        port=ports[2]))
    proxy = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                             stderr=subprocess.PIPE)
    try:
        for port, process in zip(ports, (*servers, proxy), strict=True):
            _wait(f"http://127.0.0.1:{port}/thu-tuc", process)
        yield [f"http://127.0.0.1:{p}" for p in ports], servers
    finally:
        for process in (*servers, proxy):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM) if process in servers else process.terminate()
        for process in (*servers, proxy):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_two_servers_behind_nginx_share_sessions_throttles_and_lose_nothing(app, world, cluster):
    (one, two, proxy), servers = cluster
    # a session opened on one server goes on on the other
    browser = httpx.Client(base_url=one, follow_redirects=True, timeout=10)
    csrf = form_tokens(browser.get("/dang-nhap").text)["csrf"]
    assert browser.post("/dang-nhap", data={"username": "tiepnhan", "password": "mat-khau-demo",
                                            "csrf": csrf}).status_code == 200
    other = httpx.Client(base_url=two, cookies=browser.cookies, timeout=10)
    assert other.get("/hop-thu").status_code == 200
    # ... and logging out on the second ends it on the first
    out_csrf = form_tokens(other.get("/hop-thu").text)["csrf"]
    other.post("/dang-xuat", data={"csrf": out_csrf})
    assert httpx.get(f"{one}/hop-thu", cookies=browser.cookies,
                     follow_redirects=False).status_code == 303

    # guesses are counted across both servers (and through the proxy)
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=world["tiepnhan"]).code
    for i in range(10):
        base = (one, two, proxy)[i % 3]
        assert httpx.post(f"{base}/api/v1/tracking",
                          json={"code": code, "last4": "0000"}).status_code == 404
    for base in (one, two, proxy):
        assert httpx.post(f"{base}/api/v1/tracking",
                          json={"code": code, "last4": "5678"}).status_code == 429

    # one server killed under load: every receipt answered 2xx is in the database
    token = create_api_token(app, "tiepnhan", "Kiểm thử tải")
    answered: list[str] = []
    failed: list[int] = []
    lock = threading.Lock()

    def receive(n: int) -> None:
        client = httpx.Client(base_url=proxy, timeout=15,
                              headers={"Authorization": f"Bearer {token}"})
        for _ in range(n):
            try:
                r = client.post("/api/v1/dossiers", json={
                    "procedure_code": "1.001193", "unit_code": "24175", "applicant": CITIZEN})
            except httpx.HTTPError:
                with lock:
                    failed.append(0)
                continue
            with lock:
                (answered.append(r.json()["code"]) if r.status_code in (200, 201)
                 else failed.append(r.status_code))

    workers = [threading.Thread(target=receive, args=(10,)) for _ in range(4)]
    for w in workers:
        w.start()
    time.sleep(0.5)
    os.killpg(servers[0].pid, signal.SIGKILL)
    for w in workers:
        w.join(timeout=60)
    assert len(answered) >= 20, (answered, failed)
    assert servers[0].wait(timeout=5) == -signal.SIGKILL  # the load outlived one server
    with app.engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT code FROM dossiers")).scalars())
    assert set(answered) <= stored
    assert len(set(answered)) == len(answered)
    verified = subprocess.run([sys.executable, "-m", "motcua.cli.main", "audit", "verify"],
                              env={**os.environ, "MOTCUA_DATABASE_URL": PG_URL,
                                   "MOTCUA_DATA_DIR": str(app.settings.data_dir)},
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stderr
