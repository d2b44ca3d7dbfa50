"""Benchmark of the bearer-token hot path, side by side in one run.

    python -m bench.run                 # SQLite, in process
    python -m bench.run --postgres      # also PostgreSQL + Redis, 1M tokens, HTTP

Each database is measured in a child process of its own (Django is set up once
per process). Scenarios are interleaved request by request, so a noisy machine
slows them all alike and the ratios stay stable. Results go to
docs/performance.md (between the result markers) and docs/performance.png.
"""

import argparse
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/14"
MARK_START = "<!-- results:start -->"
MARK_END = "<!-- results:end -->"


# The child: one database, in process ------------------------------------------


def _environ(method, path, query="", headers=None, body=b"", cookie=""):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


class Call:
    """One WSGI request, timed."""

    def __init__(self, app):
        self.app = app
        self.status = None
        self.headers = None

    def _start(self, status, headers, exc_info=None):
        self.status = int(status.split()[0])
        self.headers = dict(headers)

    def __call__(self, environ):
        started = time.perf_counter_ns()
        body = b"".join(self.app(environ, self._start))
        elapsed = time.perf_counter_ns() - started
        return elapsed, self.status, body


def _child(kind, requests, out, profile=None):
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.oauth import services, tokens
    from portal.oauth.models import AccessToken, Grant
    from portal.ratelimit import services as limiter

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("alice", "a@example.com", "pw-bench")
    owner = get_user_model().objects.create_user("bob", "b@example.com", "pw-bench")
    application, secret = services.create_application(
        name="Bench",
        redirect_uris=["https://client.example/cb"],
        scope_ids=["read"],
        owner=owner,
    )
    _token, raw = services.issue_personal_token(application, user)
    _pad_tokens(AccessToken, application, user, 1000 - AccessToken.objects.count())

    app = get_wsgi_application()
    call = Call(app)
    bearer = {"Authorization": f"Bearer {raw}"}
    scenarios = {
        "floor": lambda: _environ("GET", "/bench/floor"),
        "portal": lambda: _environ("GET", "/bench/portal", headers=bearer),
        "stock": lambda: _environ("GET", "/bench/stock", headers=bearer),
    }
    for name, make in scenarios.items():
        _elapsed, status, body = call(make())
        assert status == 200, (name, status, body[:200])
    if profile:
        _profile(call, scenarios[profile], requests)
        return

    results = {"kind": kind, "requests": requests, "machine": _machine()}
    results["queries"] = {}
    for name, make in scenarios.items():
        with CaptureQueriesContext(connection) as captured:
            call(make())
        results["queries"][name] = len(captured)

    # Count round trips to the rate-limit store where they happen.
    hits = {"count": 0}
    originals = {name: getattr(limiter, name) for name in ("_hit_local", "_hit_redis")}

    def counting(original):
        def wrapper(*args, **kwargs):
            hits["count"] += 1
            return original(*args, **kwargs)

        return wrapper

    for name, original in originals.items():
        setattr(limiter, name, counting(original))
    try:
        with CaptureQueriesContext(connection) as captured:
            for _ in range(100):
                call(scenarios["portal"]())
    finally:
        for name, original in originals.items():
            setattr(limiter, name, original)
    writes = sum(
        1
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    )
    results["steady_state_writes_per_100"] = writes
    results["limiter_round_trips_per_request"] = hits["count"] / 100
    call(scenarios["portal"]())
    results["portal_headers"] = sorted(
        name
        for name in call.headers
        if name.lower().startswith(("x-ratelimit", "ratelimit"))
    )

    results["timings"] = _interleaved(call, scenarios, requests)
    if kind == "postgres-local":
        Path(out).write_text(json.dumps(results, indent=2))
        return

    # (d) the token endpoint: a refresh chain and one code per exchange.
    grants = _seed_codes(Grant, tokens, application, user, requests + 50)
    browser = Client()
    browser.force_login(user)
    first = _exchange_code(call, application, secret, grants.pop())
    state = {"refresh": first["refresh_token"]}

    def refresh_environ():
        body = urlencode(
            {
                "grant_type": "refresh_token",
                "refresh_token": state["refresh"],
                "client_id": application.client_id,
                "client_secret": secret,
            }
        ).encode()
        return _environ("POST", "/api/v1/oauth/token/", body=body)

    def code_environ():
        body = urlencode(
            {
                "grant_type": "authorization_code",
                "code": grants.pop(),
                "redirect_uri": "https://client.example/cb",
                "client_id": application.client_id,
                "client_secret": secret,
            }
        ).encode()
        return _environ("POST", "/api/v1/oauth/token/", body=body)

    token_timings = {"floor": [], "refresh exchange": [], "code exchange": []}
    rounds = max(50, requests // 10)
    for _ in range(rounds):
        token_timings["floor"].append(call(scenarios["floor"]())[0])
        elapsed, status, body = call(refresh_environ())
        assert status == 200, body
        state["refresh"] = json.loads(body)["refresh_token"]
        token_timings["refresh exchange"].append(elapsed)
        elapsed, status, body = call(code_environ())
        assert status == 200, body
        token_timings["code exchange"].append(elapsed)
    results["token_endpoint"] = {
        name: statistics.median(values) / 1000 for name, values in token_timings.items()
    }

    # (e) the pages, for a user with 200 applications and 200 authorized ones.
    results["pages"] = _pages(call, user, owner, application, services, AccessToken)

    if kind == "postgres":
        results["scale"] = _scale(
            call, scenarios, requests, AccessToken, application, user
        )
        results["bearer"] = raw

    Path(out).write_text(json.dumps(results, indent=2))


def _profile(call, make, requests):
    import cProfile
    import pstats

    for _ in range(200):
        call(make())
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call(make())
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def _machine():
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def _interleaved(call, scenarios, requests, warmup=200):
    names = list(scenarios)
    for _ in range(warmup):
        for name in names:
            call(scenarios[name]())
    samples = {name: [] for name in names}
    for _ in range(requests):
        random.shuffle(names)
        for name in names:
            samples[name].append(call(scenarios[name]())[0])
    return {name: statistics.median(values) / 1000 for name, values in samples.items()}


def _pad_tokens(model, application, user, count):
    from django.utils import timezone

    if count <= 0:
        return
    now = timezone.now()
    model.objects.bulk_create(
        [
            model(
                user=user,
                application=application,
                token="",
                token_checksum=os.urandom(32).hex(),
                scope="read:profile",
                expires=now + timezone.timedelta(days=1),
                prefix="pod_at_xxxx",
            )
            for _ in range(count)
        ],
        batch_size=1000,
    )


def _seed_codes(model, tokens, application, user, count):
    from django.utils import timezone

    raws = [f"bench-code-{index}-{os.urandom(8).hex()}" for index in range(count)]
    model.objects.bulk_create(
        [
            model(
                application=application,
                user=user,
                code=tokens.digest(raw),
                expires=timezone.now() + timezone.timedelta(hours=1),
                redirect_uri="https://client.example/cb",
                scope="read:profile",
            )
            for raw in raws
        ]
    )
    return raws


def _exchange_code(call, application, secret, code):
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://client.example/cb",
            "client_id": application.client_id,
            "client_secret": secret,
        }
    ).encode()
    _elapsed, status, response = call(
        _environ("POST", "/api/v1/oauth/token/", body=body)
    )
    assert status == 200, response
    return json.loads(response)


def _pages(call, user, owner, application, services, access_token_model):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    for index in range(200):
        services.create_application(
            name=f"App {index}",
            redirect_uris=["https://client.example/cb"],
            scope_ids=["read"],
            owner=user,
        )
    others = [
        services.create_application(
            name=f"Authorized {index}",
            redirect_uris=["https://client.example/cb"],
            scope_ids=["read"],
            owner=owner,
        )[0]
        for index in range(200)
    ]
    now = timezone.now()
    access_token_model.objects.bulk_create(
        [
            access_token_model(
                user=user,
                application=other,
                token="",
                scope="read:profile",
                token_checksum=os.urandom(32).hex(),
                expires=now + timezone.timedelta(hours=1),
                prefix="pod_at_xxxx",
            )
            for other in others
        ]
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    consent_query = urlencode(
        {
            "client_id": application.client_id,
            "redirect_uri": "https://client.example/cb",
            "response_type": "code",
            "scope": "read",
            "state": "s",
        }
    )
    pages = {
        "floor": lambda: _environ("GET", "/bench/floor"),
        "settings applications": lambda: _environ(
            "GET", "/settings/applications/", cookie=cookie
        ),
        "consent": lambda: _environ(
            "GET", "/authorize", query=consent_query, cookie=cookie
        ),
    }
    queries = {}
    for name, make in pages.items():
        with CaptureQueriesContext(connection) as captured:
            _elapsed, status, body = call(make())
        assert status == 200, (name, status, body[:300])
        queries[name] = len(captured)
    medians = _interleaved(call, pages, 100, warmup=10)
    return {"median_us": medians, "queries": queries}


def _scale(call, scenarios, requests, model, application, user):
    from django.db import connection

    def settle():
        # Let PostgreSQL finish with earlier writes (statistics, visibility map,
        # dirty pages) so its background work is not timed.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE oauth_accesstoken")
            cursor.execute("CHECKPOINT")

    subset = {name: scenarios[name] for name in ("floor", "portal")}
    settle()
    before = _interleaved(call, subset, requests)
    count_before = model.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO oauth_accesstoken
              (token, token_checksum, application_id, user_id, expires, scope,
               resource, created, updated, kind, prefix)
            SELECT '', md5(g::text || 'a') || md5(g::text || 'b'), %s, %s,
                   now() + interval '1 day', 'read:profile', '[]'::jsonb, now(), now(),
                   'access', 'pod_at_xxxx'
            FROM generate_series(1, %s) AS g
            """,
            [application.pk, user.pk, 1_000_000 - count_before],
        )
    settle()
    after = _interleaved(call, subset, requests)
    return {
        "tokens_before": count_before,
        "tokens_after": model.objects.count(),
        "before_us": before,
        "after_us": after,
    }


# The parent: databases, the HTTP run, the report -------------------------------


def _run_child(kind, requests, env):
    out = tempfile.mktemp(suffix=".json")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--child",
            kind,
            "--requests",
            str(requests),
            "--out",
            out,
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(Path(out).read_text())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wrk(url, bearer=None, seconds=8, connections=16):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if bearer:
        command[1:1] = ["-H", f"Authorization: Bearer {bearer}"]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": rps,
        "p50": latencies.get("50"),
        "p99": latencies.get("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def _http(env, bearer, workers=4):
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        _wrk(base + "/bench/floor", seconds=2)
        _wrk(base + "/bench/portal", bearer, seconds=2)
        return {
            "workers": workers,
            "floor": _wrk(base + "/bench/floor"),
            "portal": _wrk(base + "/bench/portal", bearer),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []
    for kind, data in results["in_process"].items():
        for name, value in data["timings"].items():
            rows.append((f"{kind}: {name}", value))
        for name, value in data.get("token_endpoint", {}).items():
            if name != "floor":
                rows.append((f"{kind}: {name}", value))
        for name, value in data.get("pages", {}).get("median_us", {}).items():
            if name != "floor":
                rows.append((f"{kind}: {name}", value))
    labels, values = zip(*rows, strict=True)
    figure, axis = plt.subplots(figsize=(9, 0.38 * len(rows) + 1.2))
    colours = ["#0b5cad" if "portal" in label else "#8a94a0" for label in labels]
    axis.barh(labels, values, color=colours)
    axis.invert_yaxis()
    axis.set_xscale("log")
    axis.set_xlabel(
        "median latency per request, µs, log scale (in process, lower is better)"
    )
    axis.set_title("Bearer-token hot path and neighbours, measured side by side")
    for index, value in enumerate(values):
        axis.text(value, index, f" {value:,.0f}", va="center", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def _report(results):
    lines = [MARK_START, ""]
    lines.append(f"Measured {time.strftime('%Y-%m-%d')} with `{results['command']}`.")
    machine = next(iter(results["in_process"].values()))["machine"]
    lines.append(
        f"Machine: {machine['cpus']} CPUs, {machine['processor']}, "
        f"{machine['platform']}, Python {machine['python']}."
    )
    lines.append("")
    lines.append("### In process, through Django's WSGI handler (medians, µs)")
    lines.append("")
    lines.append(
        "| database | (a) floor | (b) portal | (c) stock DOT+DRF | (b)/(a) | (b)/(c) "
        "| queries a/b/c | writes per 100 (b) | limiter calls per (b) |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for kind, data in results["in_process"].items():
        t = data["timings"]
        q = data["queries"]
        lines.append(
            f"| {kind} | {t['floor']:.0f} | {t['portal']:.0f} | {t['stock']:.0f} "
            f"| {t['portal'] / t['floor']:.2f} | {t['portal'] / t['stock']:.2f} "
            f"| {q['floor']}/{q['portal']}/{q['stock']} "
            f"| {data['steady_state_writes_per_100']} "
            f"| {data['limiter_round_trips_per_request']:.0f} |"
        )
    lines.append("")
    lines.append("### Token endpoint and pages (medians, µs; ratio to the floor)")
    lines.append("")
    lines.append("| database | scenario | median | × floor | queries |")
    lines.append("|---|---|---|---|---|")
    for kind, data in results["in_process"].items():
        if "token_endpoint" not in data:
            continue
        floor = data["token_endpoint"]["floor"]
        for name in ("refresh exchange", "code exchange"):
            value = data["token_endpoint"][name]
            lines.append(f"| {kind} | {name} | {value:.0f} | {value / floor:.1f} | |")
        pages = data["pages"]
        floor = pages["median_us"]["floor"]
        for name in ("settings applications", "consent"):
            value = pages["median_us"][name]
            lines.append(
                f"| {kind} | {name} (200 apps, 200 grants) | {value:.0f} "
                f"| {value / floor:.1f} | {pages['queries'][name]} |"
            )
    scale = results["in_process"].get("postgres", {}).get("scale")
    if scale:
        before = scale["before_us"]["portal"]
        after = scale["after_us"]["portal"]
        floor_before = scale["before_us"]["floor"]
        floor_after = scale["after_us"]["floor"]
        lines.append("")
        lines.append("### Scale (PostgreSQL + Redis)")
        lines.append("")
        lines.append(
            f"(b) with {scale['tokens_before']:,} tokens: {before:.0f} µs; with "
            f"{scale['tokens_after']:,} tokens: {after:.0f} µs; ratio "
            f"{after / before:.2f}. The floor, measured beside each, moved from "
            f"{floor_before:.0f} to {floor_after:.0f} µs; (b)/(a) went from "
            f"{before / floor_before:.2f} to {after / floor_after:.2f}, a ratio of "
            f"**{(after / floor_after) / (before / floor_before):.2f}**."
        )
    http = results.get("http")
    if http:
        lines.append("")
        lines.append(
            f"### Over loopback HTTP: gunicorn, {http['workers']} workers, "
            "PostgreSQL + Redis, wrk -t2 -c16 -d8s"
        )
        lines.append("")
        lines.append("| scenario | requests/s | p50 | p99 | non-2xx |")
        lines.append("|---|---|---|---|---|")
        for name in ("floor", "portal"):
            row = http[name]
            lines.append(
                f"| ({'a' if name == 'floor' else 'b'}) {name} | "
                f"{row['requests_per_second']:,.0f} | {row['p50']} | {row['p99']} "
                f"| {row['non_2xx']} |"
            )
        ratio = (
            http["portal"]["requests_per_second"] / http["floor"]["requests_per_second"]
        )
        lines.append("")
        lines.append(f"Throughput of (b) relative to (a): **{ratio:.2f}**.")
    lines.append("")
    lines.append("![Median latency by scenario](performance.png)")
    lines.append("")
    lines.append(MARK_END)
    return "\n".join(lines)


def _write_report(text):
    page = DOCS / "performance.md"
    current = (
        page.read_text()
        if page.exists()
        else f"# Performance\n\n{MARK_START}\n{MARK_END}\n"
    )
    before, _, rest = current.partition(MARK_START)
    _, _, after = rest.partition(MARK_END)
    page.write_text(before + text + after)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--out")
    parser.add_argument(
        "--from-json",
        action="store_true",
        help="redraw the report and plot from docs/performance.json",
    )
    parser.add_argument(
        "--profile",
        choices=["floor", "portal", "stock"],
        help="profile one scenario with cProfile on SQLite instead of measuring",
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.requests, args.out, args.profile)
        return
    if args.from_json:
        results = json.loads((DOCS / "performance.json").read_text())
        _plot(results, DOCS / "performance.png")
        _write_report(_report(results))
        return
    if args.profile:
        workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL")
        }
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.run",
                "--child",
                "sqlite",
                "--profile",
                args.profile,
                "--requests",
                str(args.requests),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)
        return

    command = "python -m bench.run" + (" --postgres" if args.postgres else "")
    if args.requests != 2000:
        command += f" --requests {args.requests}"
    results = {"command": command, "in_process": {}}
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    base_env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    base_env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    database = f"portal_bench_{os.getpid()}"
    try:
        sqlite_env = {
            **base_env,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        }
        results["in_process"]["sqlite"] = _run_child(
            "sqlite", args.requests, sqlite_env
        )
        if args.postgres:
            createdb = ["createdb", "-h", "127.0.0.1", "-U", "postgres", database]
            dropdb = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", database]
            # PostgreSQL with the local-memory cache (one process), then with
            # Redis as several workers would use it, each on a fresh database.
            subprocess.run(createdb, check=True)
            local_env = {
                **base_env,
                "DATABASE_URL": f"{POSTGRES}/{database}",
            }
            results["in_process"]["postgres-local"] = _run_child(
                "postgres-local", args.requests, local_env
            )
            subprocess.run(dropdb, check=True)
            subprocess.run(createdb, check=True)
            pg_env = {
                **base_env,
                "DATABASE_URL": f"{POSTGRES}/{database}",
                "REDIS_URL": REDIS,
                "PORTAL_CACHE_PREFIX": database,
            }
            results["in_process"]["postgres"] = _run_child(
                "postgres", args.requests, pg_env
            )
            bearer = results["in_process"]["postgres"].pop("bearer")
            results["http"] = _http(pg_env, bearer)
    finally:
        if args.postgres:
            subprocess.run(
                [
                    "dropdb",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "--if-exists",
                    database,
                ],
                check=False,
            )
        shutil.rmtree(workdir, ignore_errors=True)

    DOCS.mkdir(exist_ok=True)
    (DOCS / "performance.json").write_text(json.dumps(results, indent=2))
    _plot(results, DOCS / "performance.png")
    text = _report(results)
    _write_report(text)
    print(text)


if __name__ == "__main__":
    main()
