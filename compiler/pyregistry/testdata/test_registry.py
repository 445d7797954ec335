"""Tests of a generated Python registry module (the one of flask.jsonnet's
catalog-api service), run by pyregistry_test.go with the system python3."""

import importlib
import io
import os
import re
import unittest

import flask
import flask.testing
import prometheus_client

m = importlib.import_module(os.environ.get("STACKC_MODULE", "catalog_api_metrics"))


def exposition(registry):
    return prometheus_client.generate_latest(registry).decode()


def value(registry, name, **labels):
    v = registry.get_sample_value(name, labels)
    return 0.0 if v is None else v


class BufferedClient(flask.testing.FlaskClient):
    """Reads and closes every response body, as a WSGI server does."""

    def open(self, *args, **kw):
        kw["buffered"] = True
        return super().open(*args, **kw)


def make_app(propagate=False):
    registry = prometheus_client.CollectorRegistry()
    metrics = m.Metrics(registry)
    app = flask.Flask("catalog")
    app.test_client_class = BufferedClient
    app.config["PROPAGATE_EXCEPTIONS"] = propagate

    @app.get("/items")
    def list_items():
        return {"items": []}

    @app.get("/items/<int:item_id>")
    def get_item(item_id):
        return {"id": item_id}

    @app.post("/items")
    def create_item():
        flask.request.get_data()  # reads the body: a short body is a disconnect
        return {"id": 1}, 201

    @app.get("/boom")
    def boom():
        if flask.request.args.get("pipe"):
            raise BrokenPipeError("client went away")
        raise RuntimeError("boom")

    @app.get("/healthz")
    def healthz():
        return "ok"

    metrics.init_app(app)
    return app, metrics, registry


def requests(registry, endpoint, method, code):
    return value(registry, "http_requests_total", endpoint=endpoint, method=method, code=code)


class RegistryTest(unittest.TestCase):
    def test_every_series_exists_at_zero(self):
        registry = prometheus_client.CollectorRegistry()
        m.Metrics(registry)
        text = exposition(registry)
        codes = [str(c) for c in m.STATUS_CODES] + ["499", "1xx", "2xx", "3xx", "4xx", "5xx"]
        self.assertNotIn(499, m.STATUS_CODES)
        for e in list(m.ENDPOINTS) + [m.Endpoint(m.UNMATCHED_ENDPOINT, m.UNMATCHED_METHOD, "", 0, 0, 0, 0)]:
            for c in codes:
                self.assertIn('http_requests_total{code="%s",endpoint="%s",method="%s"} 0.0' % (c, e.name, e.method), text)
            self.assertIn('http_request_duration_seconds_count{endpoint="%s",method="%s"} 0.0' % (e.name, e.method), text)
            self.assertIn('http_requests_in_flight{endpoint="%s",method="%s"} 0.0' % (e.name, e.method), text)
        for kind in ("text", "image"):
            for region in ("eu-west", "us"):
                self.assertIn('catalog_searches_total{kind="%s",region="%s"} 0.0' % (kind, region), text)
        for line in ('catalog_items 0.0', 'catalog_item_price_euros_bucket{le="10.0"} 0.0', 'catalog_page_size_count 0.0'):
            self.assertIn(line, text)
        self.assertNotIn("_created", text)
        self.assertEqual(len(re.findall(r"^http_requests_total\{", text, re.M)), (len(m.ENDPOINTS) + 1) * len(codes))

    def test_unknown_label_value_raises(self):
        metrics = m.Metrics(prometheus_client.CollectorRegistry())
        metrics.catalog_searches_total.labels(m.KIND_IMAGE, m.REGION_EU_WEST).inc()
        metrics.catalog_searches_total.labels(kind="text", region="us").inc()
        for args, kw in [(("video", "us"), {}), (("text",), {}), ((), {"kind": "text", "zone": "us"}),
                         ((), {"kind": "text", "region": "mars"})]:
            with self.assertRaises(m.LabelValueError, msg=(args, kw)):
                metrics.catalog_searches_total.labels(*args, **kw)

    def test_requests_are_labelled_by_url_rule(self):
        app, _, registry = make_app()
        client = app.test_client()
        self.assertEqual(client.get("/items/42").status_code, 200)
        self.assertEqual(client.get("/items/43").status_code, 200)
        self.assertEqual(client.post("/items", data=b"{}").status_code, 201)
        self.assertEqual(requests(registry, "get_item", "GET", "200"), 2)
        self.assertEqual(requests(registry, "create_item", "POST", "201"), 1)
        self.assertEqual(value(registry, "http_request_duration_seconds_count", endpoint="get_item", method="GET"), 2)
        text = exposition(registry)
        self.assertNotIn("/items/42", text)
        self.assertNotIn("42", re.sub(r"[0-9.e+-]+$", "", text, flags=re.M).replace("0.", ""))
        # Routes that are no spec endpoint are not recorded.
        self.assertEqual(client.get("/healthz").status_code, 200)
        self.assertEqual(client.get("/metrics").status_code, 200)
        self.assertNotIn("healthz", exposition(registry))

    def test_unmatched_requests_share_one_label_value(self):
        app, _, registry = make_app()
        client = app.test_client()
        for i in range(50):
            self.assertEqual(client.get("/no/such/path/%d" % i).status_code, 404)
        self.assertEqual(client.delete("/items").status_code, 405)
        self.assertEqual(requests(registry, m.UNMATCHED_ENDPOINT, m.UNMATCHED_METHOD, "404"), 50)
        self.assertEqual(requests(registry, m.UNMATCHED_ENDPOINT, m.UNMATCHED_METHOD, "4xx"), 1)
        endpoints = set(re.findall(r'endpoint="([^"]*)"', exposition(registry)))
        self.assertEqual(endpoints, {e.name for e in m.ENDPOINTS} | {m.UNMATCHED_ENDPOINT})

    def test_exceptions_are_500(self):
        app, _, registry = make_app()
        self.assertEqual(app.test_client().get("/boom").status_code, 500)
        self.assertEqual(requests(registry, "boom", "GET", "500"), 1)
        # With exceptions propagating (testing, debug) the request still counts.
        app, _, registry = make_app(propagate=True)
        with self.assertRaises(RuntimeError):
            app.test_client().get("/boom")
        self.assertEqual(requests(registry, "boom", "GET", "500"), 1)
        self.assertEqual(value(registry, "http_requests_in_flight", endpoint="boom", method="GET"), 0)

    def test_client_disconnect_is_not_a_server_error(self):
        for propagate in (False, True):
            app, _, registry = make_app(propagate)
            try:
                app.test_client().get("/boom?pipe=1")
            except BrokenPipeError:
                self.assertTrue(propagate)
            self.assertEqual(requests(registry, "boom", "GET", "499"), 1, "propagate=%s" % propagate)
            self.assertEqual(requests(registry, "boom", "GET", "4xx"), 0)
            self.assertEqual(requests(registry, "boom", "GET", "5xx") + requests(registry, "boom", "GET", "500"), 0)

        # A body shorter than its Content-Length: werkzeug's ClientDisconnected.
        app, _, registry = make_app()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/items", "SERVER_NAME": "x", "SERVER_PORT": "80",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b"{}"), "CONTENT_LENGTH": "100",
                   "wsgi.input_terminated": False}
        from werkzeug.test import run_wsgi_app
        _, status, _ = run_wsgi_app(app, environ, buffered=True)
        self.assertEqual(int(status.split()[0]), m.CLIENT_CLOSED_REQUEST)
        self.assertEqual(requests(registry, "create_item", "POST", "499"), 1)

        # The server stops sending the body (the client went away): 499.
        app, _, registry = make_app()

        @app.get("/items/stream")
        def stream():
            return flask.Response(iter([b"a", b"b", b"c"]))

        it = app.wsgi_app({"REQUEST_METHOD": "GET", "PATH_INFO": "/items", "SERVER_NAME": "x", "SERVER_PORT": "80",
                           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO()}, lambda *a: None)
        it.close()  # closed before the body was iterated
        self.assertEqual(requests(registry, "list_items", "GET", "499"), 1)
        self.assertEqual(requests(registry, "list_items", "GET", "200"), 0)
        self.assertEqual(value(registry, "http_requests_in_flight", endpoint="list_items", method="GET"), 0)


if __name__ == "__main__":
    unittest.main()
