"""The Flask demo service: any Python service of the spec, served with the
registry stackc generated for it (out/python/<service>_metrics.py).

It is the tutorial's Flask app done right: requests are labelled by the
spec's endpoint (never the raw path), every series exists from start-up,
every endpoint of the spec has a handler with the spec's simulated latency
and errors, and the same loopback-only fault API as the Go demo app
(demoapp fault --service NAME ENDPOINT --errors 1) breaks it on demand.

    python3 demoapp/flaskapp/app.py --registry out/python/catalog_metrics.py \\
        [--listen 127.0.0.1:8081] [--admin-listen 127.0.0.1:9081] [--latency-scale 1] [--no-errors]

Needs Python 3.11+, Flask 2.2+, prometheus_client 0.16+ (Debian bookworm:
apt-get install python3-flask python3-prometheus-client).
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import json
import logging
import math
import random
import re
import signal
import sys
import threading
import time
from datetime import datetime, timezone

import flask
from werkzeug.serving import make_server

Z99 = 2.3263478740408408  # standard normal 99th percentile
MAX_LATENCY = 60.0  # seconds; the Go demo app's fault.MaxLatency
MAX_BODY = 4 << 10

log = logging.getLogger("flaskapp")


def load_registry(path: str):
    spec = importlib.util.spec_from_file_location("stackc_registry", path)
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load the registry module %s" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Go durations, as the fault API speaks them -----------------------------

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(s: str) -> float:
    """Parses a Go duration ("200ms", "1m30s") into seconds."""
    if s in ("0", ""):
        return 0.0
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or pos == 0:
        raise ValueError("time: invalid duration %r" % s)
    return total


def format_duration(seconds: float) -> str:
    """Formats seconds like Go's time.Duration.String()."""
    ns = round(seconds * 1e9)
    if ns == 0:
        return "0s"
    if ns < 1000:
        return "%dns" % ns
    if ns < 1_000_000:
        return _trim("%.3f" % (ns / 1e3)) + "µs"
    if ns < 1_000_000_000:
        return _trim("%.6f" % (ns / 1e6)) + "ms"
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    s = _trim("%.9f" % (rest / 1e9)) + "s"
    if h:
        return "%dh%dm%s" % (h, m, s)
    if m:
        return "%dm%s" % (m, s)
    return s


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


# --- faults -----------------------------------------------------------------

class Faults:
    """Injected faults by endpoint name: (error rate, added latency s, expiry or None)."""

    def __init__(self, names):
        self.names = list(names)
        self._lock = threading.Lock()
        self._faults: dict[str, tuple[float, float, float | None]] = {}

    def get(self, name):
        with self._lock:
            f = self._faults.get(name)
            if f and f[2] is not None and f[2] <= time.time():
                del self._faults[name]
                return None
            return f

    def set(self, name, error_rate, latency, until):
        with self._lock:
            self._faults[name] = (error_rate, latency, until)

    def clear(self, name=None):
        with self._lock:
            if name is None:
                self._faults.clear()
            elif self._faults.pop(name, None) is None and name not in self.names:
                raise KeyError(name)

    def status(self, name, f):
        st = {"endpoint": name, "errorRate": f[0], "latency": format_duration(f[1])}
        if f[2] is not None:
            st["expires"] = datetime.fromtimestamp(f[2], timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        return st

    def list(self):
        out = []
        for name in sorted(self.names):
            f = self.get(name)
            if f:
                out.append(self.status(name, f))
        return {"faults": out}


def loopback_host(host: str) -> bool:
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host in ("127.0.0.1", "::1") or host.lower() == "localhost"


def admin_app(faults: Faults) -> flask.Flask:
    """The fault API of the Go demo app, with the same guards: a loopback
    Host (else 403) and JSON POSTs (else 415), so neither a web page's form
    POST nor a DNS-rebound name can reach it."""
    app = flask.Flask("flaskapp-admin")

    def error(code, msg):
        return flask.jsonify({"error": msg}), code

    @app.before_request
    def guard():
        if not loopback_host(flask.request.host):
            return error(403, "host %r is not loopback (127.0.0.1, [::1] or localhost)" % flask.request.host)
        if flask.request.method == "POST" and flask.request.mimetype != "application/json":
            return error(415, "content type %r is not application/json" % flask.request.content_type)
        return None

    @app.get("/faults")
    def list_faults():
        return flask.jsonify(faults.list())

    @app.post("/faults/<endpoint>")
    def inject(endpoint):
        raw = flask.request.get_data(cache=False)
        if len(raw) > MAX_BODY:
            return error(400, "body: too large")
        try:
            req = json.loads(raw or b"null")
            if not isinstance(req, dict):
                raise ValueError("want a JSON object")
            unknown = set(req) - {"errorRate", "latency", "for"}
            if unknown:
                raise ValueError("json: unknown field %r" % sorted(unknown)[0])
            rate = float(req.get("errorRate", 0))
            latency = parse_duration(req.get("latency", "") or "0")
            lasting = parse_duration(req.get("for", "") or "0")
        except (ValueError, TypeError) as e:
            return error(400, "body: %s" % e)
        if endpoint not in faults.names:
            return error(404, "unknown endpoint %r (endpoints: %s)" % (endpoint, sorted(faults.names)))
        if not 0 <= rate <= 1:
            return error(400, "error rate %g is not between 0 and 1" % rate)
        if not 0 <= latency <= MAX_LATENCY:
            return error(400, "latency %s is not between 0 and 1m0s" % format_duration(latency))
        if lasting < 0:
            return error(400, "for %s is negative" % format_duration(lasting))
        until = time.time() + lasting if lasting > 0 else None
        faults.set(endpoint, rate, latency, until)
        log.info("fault injected endpoint=%s errorRate=%g latency=%s", endpoint, rate, format_duration(latency))
        return flask.jsonify(faults.status(endpoint, (rate, latency, until)))

    @app.delete("/faults/<endpoint>")
    def clear(endpoint):
        try:
            faults.clear(endpoint)
        except KeyError:
            return error(404, "unknown endpoint %r" % endpoint)
        log.info("fault cleared endpoint=%s", endpoint)
        return "", 204

    @app.delete("/faults")
    def clear_all():
        faults.clear()
        log.info("all faults cleared")
        return "", 204

    return app


# --- the public app ---------------------------------------------------------

def public_app(reg, faults: Faults, latency_scale: float, no_errors: bool, ready: threading.Event):
    app = flask.Flask(reg.SERVICE)
    metrics = reg.Metrics()

    def business(metrics_obj):
        """Moves the service's business metrics a little, within the spec's label values."""
        for name in dir(metrics_obj):
            if name.startswith("_") or name.startswith("http_"):
                continue
            metric = getattr(metrics_obj, name)
            if isinstance(metric, reg.BoundedMetric):
                values = [random.choice(v) for v in metric.allowed.values()]
                child = metric.labels(*values)
            elif hasattr(metric, "_type"):
                child = metric
            else:
                continue
            kind = getattr(getattr(metric, "_metric", metric), "_type", "")
            if kind == "counter":
                child.inc()
            elif kind == "gauge":
                child.set(random.randint(0, 100))
            elif kind in ("histogram", "summary"):
                child.observe(random.expovariate(1 / 20))

    def handler_for(ep):
        mu = math.log(ep.latency) if ep.latency > 0 else None
        sigma = math.log(ep.latency_p99 / ep.latency) / Z99 if ep.latency > 0 and ep.latency_p99 > ep.latency else 0.0

        def handle(**_params):
            delay = 0.0
            if mu is not None and latency_scale > 0:
                delay = math.exp(random.gauss(mu, sigma)) * latency_scale
            f = faults.get(ep.name)
            if f:
                delay += f[1]
            if delay > 0:
                time.sleep(delay)
            if f and random.random() < f[0]:
                return flask.jsonify({"error": "injected fault"}), 503
            if not no_errors and random.random() < ep.error_rate:
                return flask.jsonify({"error": "simulated error"}), 500
            business(metrics)
            return flask.jsonify({"endpoint": ep.name}), 201 if ep.method == "POST" else 200

        return handle

    for ep in reg.ENDPOINTS:
        app.add_url_rule(ep.flask_rule, "ep_" + ep.name, handler_for(ep), methods=[ep.method])

    @app.get("/healthz")
    def healthz():
        return "ok\n"

    @app.get("/readyz")
    def readyz():
        return ("ready\n", 200) if ready.is_set() else ("not ready\n", 503)

    metrics.init_app(app)
    return app


def split_addr(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    return host.strip("[]"), int(port)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Serve a Python service of the spec with its generated registry.")
    p.add_argument("--registry", required=True, help="the generated module, out/python/<service>_metrics.py")
    p.add_argument("--listen", help="public address (default 127.0.0.1:<service port>)")
    p.add_argument("--admin-listen", help="fault API address, loopback only (default 127.0.0.1:<service adminPort>)")
    p.add_argument("--latency-scale", type=float, default=1.0, help="multiply simulated latency (0 turns it off)")
    p.add_argument("--no-errors", action="store_true", help="turn the spec's simulated errors off (faults still apply)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    reg = load_registry(args.registry)
    listen = args.listen or "127.0.0.1:%d" % reg.PORT
    admin_listen = args.admin_listen or "127.0.0.1:%d" % reg.ADMIN_PORT
    host, port = split_addr(admin_listen)
    try:
        loop = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loop = host == "localhost"
    if not loop:
        print("flaskapp: --admin-listen %s is not a loopback address; the fault API has no authentication" % admin_listen, file=sys.stderr)
        return 2
    if args.latency_scale < 0:
        print("flaskapp: --latency-scale must not be negative", file=sys.stderr)
        return 2

    ready = threading.Event()
    faults = Faults(e.name for e in reg.ENDPOINTS)
    pub = make_server(*split_addr(listen), public_app(reg, faults, args.latency_scale, args.no_errors, ready), threaded=True)
    adm = make_server(host, port, admin_app(faults), threaded=True)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (pub, adm)]
    for t in threads:
        t.start()
    ready.set()
    log.info("serving service=%s endpoints=%d listen=%s:%d admin=%s:%d", reg.SERVICE, len(reg.ENDPOINTS),
             pub.host, pub.server_port, adm.host, adm.server_port)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    ready.clear()
    log.info("shutting down")
    pub.shutdown()
    adm.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
