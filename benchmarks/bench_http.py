"""HTTP speed of `motcua serve` (issue 15, part 10).

Against `motcua serve --workers 2` on PostgreSQL (database `motcua_bench`, created if
missing; MOTCUA_BENCH_PG_ADMIN names the server), with 2,000 generated dossiers:
the public tracking look-up (POST /api/v1/tracking, rotating over the dossiers, with the
guessing throttle as served) and the catalogue search (GET /api/v1/procedures?q=…,
rotating queries), each at 20 and 50 concurrent connections for 20 s, driven by wrk
from a second process; and, in the same run, the same server's trivial route
(GET /healthz) as the baseline. Prints one JSON object per measurement and a summary.

Targets on the 2-core machine: tracking and catalogue each at least 50% of the trivial
route's req/s; p99 at 50 clients at most 250 ms.
Run: make bench-deps && .venv/bin/python benchmarks/bench_http.py
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.ports import free_port  # noqa: E402 - the tests' servers pick ports the same way

ADMIN = os.environ.get("MOTCUA_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BENCH_DB = ADMIN.rsplit("/", 1)[0] + "/motcua_bench"
SECONDS = int(os.environ.get("MOTCUA_BENCH_SECONDS", "20"))
CLIENTS = (20, 50)
DOSSIERS = 2000

LUA_DONE = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout + summary.errors.status
  io.write(string.format('{"requests": %d, "seconds": %.3f, "errors": %d, '
    .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def _fresh_database() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS motcua_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE motcua_bench")


def _rotating(requests: list[str]) -> str:
    """A wrk script sending ``requests`` (Lua expressions) in turn, each formatted once
    when the thread starts, as the trivial route's one request is: the load generator
    shares the 2 cores with the server, and formatting a request at every send would be
    its cost, not the route's."""
    return ("local requests = {}\nlocal i = 0\ninit = function(args)\n"
            + "".join(f"  requests[{n}] = {r}\n" for n, r in enumerate(requests, 1))
            + "end\nrequest = function()\n  i = i % #requests + 1\n"
            "  return requests[i]\nend\n")


def _scripts(tmp: Path, tracking_bodies: list[str], queries: list[str]) -> dict[str, Path]:
    scripts = {
        "trivial": 'wrk.method = "GET"\nwrk.path = "/healthz"\n',
        "tracking": _rotating([
            f'wrk.format("POST", "/api/v1/tracking", {{["Content-Type"] = "application/json"}}, '
            f'{json.dumps(body)})' for body in tracking_bodies]),
        "catalogue": _rotating([f'wrk.format("GET", {json.dumps(path)})' for path in queries]),
    }
    paths = {}
    for name, body in scripts.items():
        paths[name] = tmp / f"{name}.lua"
        paths[name].write_text(body + LUA_DONE)
    return paths


def _wrk(url: str, script: Path, clients: int, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "5s",
                          "-s", str(script), url], capture_output=True, text=True, check=True)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    result = json.loads(line)
    result["req_per_s"] = round(result["requests"] / result["seconds"], 1)
    return result


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: run `make bench-deps` (Debian's wrk).")
    _fresh_database()
    tmp = Path(tempfile.mkdtemp(prefix="motcua-bench-http-"))
    env = {**os.environ, "MOTCUA_DATABASE_URL": BENCH_DB, "MOTCUA_DATA_DIR": str(tmp / "data")}
    motcua = [sys.executable, "-m", "motcua.cli.main"]
    subprocess.run([*motcua, "generate", "--dossiers", str(DOSSIERS), "--year", "2026"],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    engine = sa.create_engine(BENCH_DB.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, applicant_phone FROM dossiers "
                                    "ORDER BY id LIMIT 1000")).all()
    engine.dispose()
    bodies = [json.dumps({"code": code, "last4": phone[-4:]}) for code, phone in rows]
    queries = [f"/api/v1/procedures?q={q.replace(' ', '%20')}" for q in
               ("khai sinh", "dang ky", "ket hon", "chung thuc", "dat dai", "ho tich",
                "giay phep", "xay dung", "kinh doanh", "thuong binh")]
    scripts = _scripts(tmp, bodies, queries)
    port = free_port()
    server = subprocess.Popen([*motcua, "serve", "--port", str(port), "--workers", "2"],
                              env=env, cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        check = httpx.post(f"{url}/api/v1/tracking", content=bodies[0],
                           headers={"Content-Type": "application/json"})
        assert check.status_code == 200, check.text
        # warm every worker's pools and caches: each process keeps the public view of a
        # dossier it has looked up (services.tracking) and the searches it has answered,
        # so the rows below measure look-ups of dossiers already looked up in the last
        # 5 minutes; 8 s of look-ups pass each of the 1,000 dossiers about 20 times
        for name in scripts:
            _wrk(url, scripts[name], 8, 8 if name == "tracking" else 2)
        results: dict[tuple[str, int], dict] = {}
        for clients in CLIENTS:
            for name in ("trivial", "tracking", "catalogue"):
                result = _wrk(url, scripts[name], clients, SECONDS)
                results[(name, clients)] = result
                print(json.dumps({"route": name, "clients": clients, **result}), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    summary = {}
    for clients in CLIENTS:
        base = results[("trivial", clients)]["req_per_s"]
        for name in ("tracking", "catalogue"):
            r = results[(name, clients)]
            summary[f"{name}_{clients}"] = {
                "req_per_s": r["req_per_s"], "share_of_trivial_pct": round(100 * r["req_per_s"] / base, 1),
                "p99_ms": r["p99_ms"], "errors": r["errors"]}
    summary["trivial_req_per_s"] = {c: results[("trivial", c)]["req_per_s"] for c in CLIENTS}
    summary["targets"] = {
        "share_at_least_50pct": all(v["share_of_trivial_pct"] >= 50
                                    for k, v in summary.items() if k[-2:].isdigit()),
        "p99_50_clients_at_most_250ms": all(summary[f"{n}_50"]["p99_ms"] <= 250
                                            for n in ("tracking", "catalogue"))}
    print(json.dumps({"summary": summary}, ensure_ascii=False))


if __name__ == "__main__":
    main()
