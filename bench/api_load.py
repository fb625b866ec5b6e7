"""The API under load: requests/s and p50/p99 latency of its read routes at concurrency 50, from wrk (and the seed's
locust scenario) in a separate process, against `terra api --workers N` in another.

    .venv/bin/python bench/api_load.py [--workers 2] [--connections 50] [--seconds 10] [--projects 200]
                                       [--holdings 20] [--rate-limits memory|redis|off] [--locust]

A fresh database on the PostgreSQL of DATABASE_URL (default the machine's, postgresql://postgres@127.0.0.1:5432;
`--embedded` starts an embedded one instead), migrated; `--projects` catalogue projects (`projects`) with their
on-chain twins (`chain_projects`, one `chain_checkpoints` row) and a user, registered and signed in through the
API, whose linked wallet holds `--holdings` of them (`user_wallets`, `chain_balances`). The API runs as
`terra api --workers N` (uvicorn, its ordinary settings, logs at LOG_LEVEL to a file under bench/results/), with
rate limits on (tiers so high that nothing is refused: what is measured is their cost) in memory, on Redis
(REDIS_URL) or off.

Routes: GET /health and the authenticated GET /api/v1/users/me (the cheapest ones, for reference), then
GET /api/v1/projects, GET /api/v1/projects/{id} and GET /api/v1/portfolio, each only where the app's OpenAPI
schema has it (a missing one is skipped with a line saying so). Each route is warmed up (a request, then a short
wrk run: caches filled, connections open), then loaded for `--seconds` by `wrk --latency` with `--threads` threads
and `--connections` connections, every request authenticated with the user's Bearer token.

Printed and written to bench/results/api_load.json: per route requests/s, p50/p90/p99 latency (wrk's), non-2xx
answers, the worker count and the load average after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import DEFAULT_SERVER, drop_database, fresh_database  # noqa: E402
from bench.process_usage import tree_cpu_seconds  # noqa: E402
from core.db.engine import make_engine  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
CHAIN_ID = 31337
PASSWORD = "Bench-Load-Password-42!"
UNLIMITED = "1000000000/hour"  # rate limits on, nobody refused: their cost is in the figures
TECHNOLOGIES = ("solar", "wind", "hydro", "storage")
COUNTRIES = ("DE", "FR", "ES", "PT", "IT", "NL")


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # as requested
    template: str  # as the OpenAPI schema names it


# --------------------------------------------------------------------------------------------- data
def seed_catalogue(db_url: str, projects: int) -> list[dict[str, Any]]:
    """`projects` catalogue projects and their chain twins; returns (id, token_id) of each."""
    engine = make_engine(db_url)
    rows = []
    with engine.begin() as conn:
        for i in range(1, projects + 1):
            target = 10_000_000 + 1_000 * i
            project_id = conn.exec_driver_sql(
                "INSERT INTO projects (chain_id, token_id, name, description, technology, capacity_mw,"
                " location_country, location_city, latitude, longitude, status, target_cents,"
                " min_investment_cents, expected_return_annual, exit_timeline_years)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'operating', %s, 1000, %s, 20) RETURNING id",
                (
                    CHAIN_ID,
                    i,
                    f"Bench {TECHNOLOGIES[i % 4]} park {i}",
                    f"A {TECHNOLOGIES[i % 4]} project seeded by bench/api_load.py, number {i}.",
                    TECHNOLOGIES[i % 4],
                    Decimal("12.50"),
                    COUNTRIES[i % len(COUNTRIES)],
                    f"City {i}",
                    Decimal("40.0") + Decimal(i % 100) / 10,
                    Decimal("-3.0") + Decimal(i % 50) / 10,
                    target,
                    Decimal("6.50"),
                ),
            ).scalar_one()
            conn.exec_driver_sql(
                "INSERT INTO chain_projects (chain_id, project_id, supply_cap, minted, metadata_cid, created_block,"
                " created_tx) VALUES (%s, %s, %s, %s, %s, 1, %s)",
                (CHAIN_ID, i, target, target // 4, f"bafybench{i}", "0x" + f"{i:064x}"),
            )
            rows.append({"id": str(project_id), "token_id": i})
        conn.exec_driver_sql(
            "INSERT INTO chain_checkpoints (chain_id, block_number, block_hash, finalized_block)"
            " VALUES (%s, 1000, %s, 990)",
            (CHAIN_ID, "0x" + "ab" * 32),
        )
    engine.dispose()
    return rows


def seed_holdings(db_url: str, user_id: str, holdings: int) -> str:
    """A wallet linked to the user holding units of the first `holdings` projects; returns its address."""
    wallet = "0x" + secrets.token_hex(20)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO user_wallets (address, user_id, kind, chain_id) VALUES (%s, %s, 'eoa', %s)",
            (wallet, user_id, CHAIN_ID),
        )
        for i in range(1, holdings + 1):
            conn.exec_driver_sql(
                "INSERT INTO chain_balances (chain_id, project_id, holder, balance) VALUES (%s, %s, %s, %s)",
                (CHAIN_ID, i, wallet, 2_500 * i),
            )
    engine.dispose()
    return wallet


# --------------------------------------------------------------------------------------------- the API
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_api(
    db_url: str, workers: int, port: int, rate_limits: str, log_file: Path, key_prefix: str
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": db_url,
        "API_JWT_SECRET": secrets.token_urlsafe(48),
        "API_ENVIRONMENT": "production",
        "API_PORT": str(port),
        "API_READY_MAX_INDEX_AGE_SECONDS": "",
        "LOG_JSON": "true",  # as in production: one JSON line per request
        "API_RATE_LIMITS_ENABLED": "false" if rate_limits == "off" else "true",
        "API_RATE_LIMIT_PUBLIC": UNLIMITED,
        "API_RATE_LIMIT_AUTHENTICATED": UNLIMITED,
        "API_RATE_LIMIT_PREMIUM": UNLIMITED,
        "API_RATE_LIMIT_KEY_PREFIX": key_prefix,
    }
    if rate_limits == "redis":
        env["REDIS_URL"] = redis_url()
    else:
        env.pop("REDIS_URL", None)
    terra = shutil.which("terra", path=str(Path(sys.executable).parent)) or "terra"  # this environment's
    out = log_file.open("wb")
    return subprocess.Popen([terra, "api", "--workers", str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT)


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def drop_redis_keys(key_prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url())
    for key in client.scan_iter(match=f"*{key_prefix}*"):
        client.delete(key)
    client.close()


def wait_healthy(base: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"terra api exited with {process.returncode} before answering")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError("terra api did not answer /health in time")


def sign_in(base: str) -> tuple[str, str]:
    """(user id, access token) of a new account."""
    email = f"bench-{secrets.token_hex(4)}@example.org"
    registered = httpx.post(
        base + "/api/v1/users/register", json={"email": email, "password": PASSWORD, "country": "DE"}, timeout=30
    )
    registered.raise_for_status()
    login = httpx.post(base + "/api/v1/users/login", json={"email": email, "password": PASSWORD}, timeout=30)
    login.raise_for_status()
    return str(registered.json()["data"]["id"]), str(login.json()["data"]["access_token"])


def routes(base: str, token: str, projects: list[dict[str, Any]]) -> tuple[list[Route], list[str]]:
    """The routes to load that the app has, and a line for each one it does not have (yet)."""
    paths = set(httpx.get(base + "/openapi.json", timeout=30).json()["paths"])
    found = [Route("health", "/health", "/health"), Route("users/me", "/api/v1/users/me", "/api/v1/users/me")]
    missing = []
    if "/api/v1/projects" in paths:
        found.append(Route("projects", "/api/v1/projects", "/api/v1/projects"))
    else:
        missing.append("GET /api/v1/projects: not in this app's OpenAPI schema (not merged yet), skipped")
    detail = sorted(p for p in paths if re.fullmatch(r"/api/v1/projects/\{[^}/]+\}", p))
    if detail:
        path = project_path(base, token, projects[0])
        if path is None:
            missing.append(f"GET {detail[0]}: neither a project's id nor its token id answers 200, skipped")
        else:
            found.append(Route("projects/{id}", path, detail[0]))
    else:
        missing.append("GET /api/v1/projects/{id}: not in this app's OpenAPI schema (not merged yet), skipped")
    if "/api/v1/portfolio" in paths:
        found.append(Route("portfolio", "/api/v1/portfolio", "/api/v1/portfolio"))
    else:
        missing.append("GET /api/v1/portfolio: not in this app's OpenAPI schema (not merged yet), skipped")
    return found, missing


def project_path(base: str, token: str, project: dict[str, Any]) -> str | None:
    """The detail route keyed by whichever the endpoint takes: the catalogue id or the on-chain token id."""
    for key in (project["id"], str(project["token_id"])):
        path = f"/api/v1/projects/{key}"
        if httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200:
            return path
    return None


# --------------------------------------------------------------------------------------------- wrk
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNIT_MS[unit], 2)


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles (ms) and error counts from `wrk --latency` output."""
    result: dict[str, Any] = {}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.MULTILINE)
        if match:
            result[f"p{pct}_ms"] = _ms(match.group(1))
    match = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    result["requests_per_s"] = round(float(match.group(1)), 1) if match else None
    match = re.search(r"(\d+) requests in", output)
    result["requests"] = int(match.group(1)) if match else 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = match.group(1).strip() if match else None
    return result


def run_wrk(url: str, token: str, threads: int, connections: int, seconds: float) -> dict[str, Any]:
    command = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["-H", f"Authorization: Bearer {token}", "--timeout", "10s", url]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse_wrk(done.stdout)


# --------------------------------------------------------------------------------------------- locust
def run_locust(base: str, email_token: tuple[str, str], users: int, seconds: float) -> dict[str, Any] | str:
    """The seed's locustfile scenario (bench/locustfile.py), headless; its aggregated figures, or why not."""
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or shutil.which("locust")
    if locust is None:
        return "locust is not installed (pip install -e '.[bench]'), skipped"
    with tempfile.TemporaryDirectory(prefix="terra-locust-") as tmp:
        prefix = str(Path(tmp) / "run")
        env = os.environ | {"BENCH_EMAIL": email_token[0], "BENCH_PASSWORD": PASSWORD}
        command = [locust, "-f", str(REPO / "bench" / "locustfile.py"), "--headless", "-u", str(users)]
        command += ["-r", str(users), "-t", f"{max(1, round(seconds))}s", "--host", base, "--csv", prefix]
        command += ["--only-summary", "--loglevel", "WARNING"]
        subprocess.run(command, env=env, capture_output=True, timeout=seconds + 120, check=False)
        stats = Path(prefix + "_stats.csv")
        if not stats.exists():
            return "locust ran but wrote no statistics, skipped"
        import csv

        out: dict[str, Any] = {}
        for row in csv.DictReader(stats.open()):
            out[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
            }
        return out


# --------------------------------------------------------------------------------------------- main
def database(args: argparse.Namespace) -> tuple[str, Any]:
    """(server admin URL, (an embedded server to keep alive, its data directory) or None)."""
    if not args.embedded:
        return os.environ.get("DATABASE_URL") or DEFAULT_SERVER, None
    from core.db.embedded import embedded_server

    data_dir = Path(tempfile.mkdtemp(prefix="terra-bench-pg-"))
    server = embedded_server(data_dir)
    return server.get_uri("postgres"), (server, data_dir)


def print_table(result: dict[str, Any]) -> None:
    print(
        f"\nAPI load: {result['workers']} uvicorn worker(s) (terra api --workers), wrk {result['threads']} thread(s) "
        f"x {result['connections']} connections, {result['seconds']} s per route, rate limits {result['rate_limits']}"
    )
    print(
        f"{'route':<16} {'requests/s':>11} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
        f" {'server CPU ms/req':>18}"
    )
    for name, row in result["routes"].items():
        print(
            f"{name:<16} {row['requests_per_s'] or 0:>11,.1f} {row.get('p50_ms', 0):>8} {row.get('p90_ms', 0):>8}"
            f" {row.get('p99_ms', 0):>8} {row['non_2xx']:>8} {row['server_cpu_ms_per_request']:>18}"
        )
    for line in result["skipped"]:
        print("skipped:", line)
    if isinstance(result.get("locust"), dict):
        print("locust (the seed's scenario: think time 1-5 s per user):")
        for name, row in result["locust"].items():
            print(f"  {name:<30} {row['requests_per_s']:>8} req/s p50 {row['p50_ms']} ms p99 {row['p99_ms']} ms")
    elif result.get("locust"):
        print("locust:", result["locust"])
    print(f"load average before: {result['load_average_before']}, after: {result['load_average_after']}", flush=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (terra api --workers)")
    parser.add_argument("--connections", type=int, default=50, help="requests in flight (wrk -c)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (each one a core's worth of load)")
    parser.add_argument("--seconds", type=float, default=10.0, help="load per route")
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--projects", type=int, default=200, help="catalogue projects seeded")
    parser.add_argument("--holdings", type=int, default=20, help="projects the user's wallet holds")
    parser.add_argument("--rate-limits", choices=["memory", "redis", "off"], default="memory")
    parser.add_argument("--only", default="", help="comma-separated route names to load (default: all found)")
    parser.add_argument("--locust", action="store_true", help="also run the seed's locust scenario")
    parser.add_argument("--embedded", action="store_true", help="an embedded PostgreSQL instead of DATABASE_URL")
    parser.add_argument("--output", type=Path, default=RESULTS / "api_load.json")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk; terra/bootstrap.sh installs it where it can)")
    server, embedded = database(args)
    db_url = fresh_database(server)
    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    key_prefix = f"terra-bench-{secrets.token_hex(4)}"
    api = start_api(db_url, args.workers, port, args.rate_limits, RESULTS / "api_load-server.log", key_prefix)
    try:
        projects = seed_catalogue(db_url, args.projects)
        wait_healthy(base, api)
        user_id, token = sign_in(base)
        seed_holdings(db_url, user_id, min(args.holdings, args.projects))
        found, skipped = routes(base, token, projects)
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        figures: dict[str, Any] = {}
        load_before = round(os.getloadavg()[0], 2)
        for route in found:
            if only and route.name not in only:
                continue
            url = base + route.path
            httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).raise_for_status()
            run_wrk(url, token, args.threads, args.connections, args.warmup_seconds)
            cpu = tree_cpu_seconds(api.pid)
            row = {"path": route.template} | run_wrk(url, token, args.threads, args.connections, args.seconds)
            # CPU per request holds when the machine is shared; requests/s and latency follow its load
            row["server_cpu_ms_per_request"] = round(
                1000 * (tree_cpu_seconds(api.pid) - cpu) / max(1, row["requests"]), 3
            )
            figures[route.name] = row
        result: dict[str, Any] = {
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "seconds": args.seconds,
            "rate_limits": args.rate_limits,
            "projects": args.projects,
            "holdings": args.holdings,
            "routes": figures,
            "skipped": skipped,
        }
        if args.locust:
            email = httpx.get(base + "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).json()
            result["locust"] = run_locust(base, (email["data"]["email"], token), args.connections, args.seconds)
        result["load_average_before"] = load_before
        result["load_average_after"] = round(os.getloadavg()[0], 2)
    finally:
        api.terminate()
        try:
            api.wait(30)
        except subprocess.TimeoutExpired:
            api.kill()
        drop_database(server, db_url)
        if args.rate_limits == "redis":
            drop_redis_keys(key_prefix)
        if embedded is not None:
            embedded[0].cleanup()
            shutil.rmtree(embedded[1], ignore_errors=True)
    print_table(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
