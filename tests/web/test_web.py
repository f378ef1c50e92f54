#!/usr/bin/env python3
"""End-to-end tests of `rua serve`: start the server on an ephemeral loopback
port and speak real HTTP to it (http.client, raw sockets for pipelining and
limits).

usage: test_web.py RUA_BINARY [unittest args]
"""
import http.client
import json
import os
import re
import signal
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

RUA = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/rua"
HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "app.lua")
SANITIZED = os.environ.get("RUA_SANITIZED") == "1"
SLOW = 4 if SANITIZED else 1  # time factor under ASan


class Server:
    """A `rua serve` process on a free port; its stdout/stderr are collected."""

    def __init__(self, app=APP, *args, workers=1):
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [RUA, "serve", app, "--port", "0", "--workers", str(workers), *args],
            stdout=subprocess.PIPE, stderr=self.err)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"https?://[^:]+:(\d+)", line)
        if not m:
            self.proc.wait(10)
            self.err.seek(0)
            raise RuntimeError(f"server did not start: {line!r} {self.err.read().decode()!r}")
        self.port = int(m.group(1))
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.decode())

    def conn(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r, r.read()
        finally:
            c.close()

    def raw(self, data, timeout=5, shut=False):
        """Sends raw bytes; returns all bytes received until the server closes
        (or the timeout)."""
        s = socket.create_connection(("127.0.0.1", self.port))
        s.settimeout(timeout * SLOW)
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                got += chunk
            return got
        finally:
            s.close()

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout * SLOW)
        self.reader.join(5)
        return code


def responses(data):
    """Splits raw bytes into (status, headers, body) answers (Content-Length bodies)."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", 0))
        out.append((status, headers, rest[:n]))
        data = rest[n:]
    return out


class Routes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(APP, "--max-body", "1k", "--timeout", "2s", "--log", "json")

    @classmethod
    def tearDownClass(cls):
        code = cls.s.stop()
        assert code == 0, f"server exit code {code}: {cls.s.stderr()}"

    def get_json(self, path, status=200):
        r, body = self.s.request("GET", path)
        self.assertEqual(r.status, status, body)
        self.assertEqual(r.getheader("Content-Type"), "application/json")
        return json.loads(body)

    def test_root_and_text(self):
        r, body = self.s.request("GET", "/")
        self.assertEqual((r.status, body), (200, b"root"))
        self.assertEqual(r.getheader("Content-Type"), "text/plain; charset=utf-8")
        self.assertEqual(r.getheader("X-Mw"), "1")
        self.assertIsNotNone(r.getheader("Date"))

    def test_params(self):
        self.assertEqual(self.get_json("/users/42"), {"id": "42"})
        self.assertEqual(self.get_json("/users/a%20b"), {"id": "a b"})
        self.assertEqual(self.get_json("/users/7/posts/9"), {"id": "7", "post": "9"})
        r, _ = self.s.request("GET", "/users/")  # an empty parameter does not match
        self.assertEqual(r.status, 404)
        r, _ = self.s.request("GET", "/users/1/2")
        self.assertEqual(r.status, 404)

    def test_wildcard(self):
        for path, rest in [("/files/a/b.txt", b"a/b.txt"), ("/files/", b""), ("/files", b"")]:
            r, body = self.s.request("GET", path)
            self.assertEqual((r.status, body), (200, b"file:" + rest), path)
        r, _ = self.s.request("GET", "/filesx")
        self.assertEqual(r.status, 404)

    def test_methods(self):
        r, body = self.s.request("POST", "/items", body=b'{"a":1}')
        self.assertEqual(r.status, 201)
        self.assertEqual(r.getheader("Location"), "/items/1")
        self.assertEqual(json.loads(body), {"created": {"a": 1}})
        self.assertEqual(self.s.request("PUT", "/items/3")[1], b"put 3")
        self.assertEqual(self.s.request("PATCH", "/items/4")[1], b"patch 4")
        r, body = self.s.request("DELETE", "/items/5")
        self.assertEqual((r.status, body), (204, b""))
        self.assertIsNone(r.getheader("Content-Length"))
        r, _ = self.s.request("OPTIONS", "/items")
        self.assertEqual((r.status, r.getheader("Allow")), (200, "GET, POST"))
        r, _ = self.s.request("HEAD", "/only-head")
        self.assertEqual((r.status, r.getheader("X-Head")), (200, "yes"))
        for m in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            self.assertEqual(self.s.request(m, "/any")[1], b"any " + m.encode())

    def test_404_405(self):
        r, _ = self.s.request("GET", "/no/such/path")
        self.assertEqual(r.status, 404)
        r, _ = self.s.request("DELETE", "/users/1")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.getheader("Allow"), "GET, HEAD")
        r, _ = self.s.request("GET", "/items")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.getheader("Allow"), "POST, OPTIONS")
        r, _ = self.s.request("POST", "/items/1")
        self.assertEqual(r.getheader("Allow"), "PUT, PATCH, DELETE")

    def test_head_from_get(self):
        r, body = self.s.request("HEAD", "/json")
        self.assertEqual(r.status, 200)
        self.assertEqual(body, b"")
        self.assertEqual(r.getheader("Content-Length"), str(len('{"message":"Hello, World!"}')))
        # the connection stays usable after a HEAD answer (no stray body)
        c = self.s.conn()
        c.request("HEAD", "/")
        r = c.getresponse()
        r.read()
        c.request("GET", "/")
        self.assertEqual(c.getresponse().read(), b"root")
        c.close()

    def test_query(self):
        q = self.get_json("/query?a=1&b=x%20y&a=2&c=&d&e=a+b&a=3")
        self.assertEqual(q, {"a": ["1", "2", "3"], "b": "x y", "c": "", "d": "", "e": "a b"})
        self.assertEqual(self.get_json("/query"), {})  # an empty table encodes as {}

    def test_headers(self):
        c = self.s.conn()
        c.putrequest("GET", "/headers")
        c.putheader("X-Test", "hello")
        c.putheader("X-Multi", "1")
        c.putheader("X-Multi", "2")
        c.endheaders()
        h = json.loads(c.getresponse().read())
        c.close()
        self.assertEqual(h["test"], "hello")
        self.assertEqual(h["via_method"], "hello")
        self.assertEqual(h["multi"], "1, 2")
        self.assertTrue(h["host"].startswith("127.0.0.1"))

    def test_info(self):
        a = self.get_json("/info")
        b = self.get_json("/info")
        self.assertEqual((a["method"], a["path"], a["remote"]), ("GET", "/info", "127.0.0.1"))
        self.assertNotEqual(a["id"], b["id"])
        self.assertEqual((a["started"], a["worker"]), (1, 0))

    def test_body_and_json(self):
        r, body = self.s.request("POST", "/body", body=b"x" * 100)
        self.assertEqual(json.loads(body), {"len": 100, "body": "x" * 100})
        r, body = self.s.request("POST", "/json", body=b'{"a": [1, 2.5, null, true]}')
        self.assertEqual(json.loads(body), {"got": {"a": [1, 2.5, None, True]}})
        r, body = self.s.request("POST", "/json", body=b'{"a": ')
        self.assertEqual(r.status, 400)
        self.assertEqual(json.loads(body), {"error": "invalid json"})

    def test_response_forms(self):
        r, body = self.s.request("GET", "/res-forms")
        self.assertEqual((r.status, body), (202, b"sent"))
        self.assertEqual(r.getheader("X-One"), "a")
        self.assertEqual(r.msg.get_all("Set-Cookie"), ["a=1", "b=2"])
        r, body = self.s.request("GET", "/res-json")
        self.assertEqual((r.status, json.loads(body)), (201, {"ok": True}))
        r, body = self.s.request("GET", "/empty")
        self.assertEqual((r.status, body, r.getheader("X-E")), (200, b"", "1"))
        r, body = self.s.request("GET", "/content-type")
        self.assertEqual((r.getheader("Content-Type"), body), ("text/html", b"<b>hi</b>"))

    def test_middleware(self):
        r, body = self.s.request("GET", "/", headers={"X-Block": "1"})
        self.assertEqual((r.status, json.loads(body)), (403, {"blocked": True}))
        r, body = self.s.request("GET", "/mw-after")
        self.assertEqual(body, b"body (after)")
        r, _ = self.s.request("GET", "/nothing-here")  # middleware runs for 404s too
        self.assertEqual((r.status, r.getheader("X-Mw")), (404, "1"))

    def test_handler_errors(self):
        for path in ("/crash", "/crash-table", "/bad-body", "/bad-status"):
            r, body = self.s.request("GET", path)
            self.assertEqual((r.status, body), (500, b"Internal Server Error"), path)
        err = self.s.stderr()
        self.assertIn("boom in handler", err)
        self.assertIn("stack traceback", err)
        self.assertNotIn(b"boom", body)
        self.assertEqual(self.s.request("GET", "/")[1], b"root")  # the worker lives on

    def test_keep_alive(self):
        c = self.s.conn()
        for i in range(5):
            c.request("GET", f"/users/{i}")
            r = c.getresponse()
            self.assertEqual(json.loads(r.read()), {"id": str(i)})
            self.assertFalse(r.will_close)
        sock = c.sock
        c.request("GET", "/")
        c.getresponse().read()
        self.assertIs(c.sock, sock)
        c.close()
        # HTTP/1.0 closes unless asked
        got = self.s.raw(b"GET / HTTP/1.0\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.0 200"))
        self.assertIn(b"Connection: close", got)

    def test_pipelining(self):
        reqs = b"".join(f"GET /users/{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(10))
        reqs += b"GET /sleep?s=0.05 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        got = responses(self.s.raw(reqs))
        self.assertEqual(len(got), 12)
        for i in range(10):
            self.assertEqual(json.loads(got[i][2]), {"id": str(i)})
        self.assertEqual(got[10][2], b"slept")
        self.assertEqual(got[11][2], b"root")

    def test_body_limit(self):
        r, _ = self.s.request("POST", "/body", body=b"x" * 1024)
        self.assertEqual(r.status, 200)
        r, _ = self.s.request("POST", "/body", body=b"x" * 1025)
        self.assertEqual(r.status, 413)

    def test_header_limit(self):
        got = self.s.raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 431"), got[:100])

    def test_timeout(self):
        t = time.time()
        got = self.s.raw(b"GET / HTTP/1.1\r\nHost: x\r\n", timeout=10)
        self.assertTrue(got.startswith(b"HTTP/1.1 408"), got[:100])
        self.assertLess(time.time() - t, 8 * SLOW)
        # an idle keep-alive connection is closed without an answer
        got = self.s.raw(b"", timeout=10)
        self.assertEqual(got, b"")

    def test_bad_request(self):
        got = self.s.raw(b"GARBAGE\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 400"), got[:100])

    def test_expect_continue(self):
        s = socket.create_connection(("127.0.0.1", self.s.port))
        s.settimeout(5 * SLOW)
        s.sendall(b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        first = s.recv(100)
        self.assertEqual(first, b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(b"hello")
        got = b""
        while b'"hello"' not in got:
            got += s.recv(1000)
        self.assertTrue(got.startswith(b"HTTP/1.1 200"))
        s.close()
        # too large: 413 without waiting for the body
        got = self.s.raw(b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 413"), got[:100])

    def test_chunked_body(self):
        got = self.s.raw(b"POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                         b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        st, _, body = responses(got)[0]
        self.assertEqual((st, json.loads(body)), (200, {"len": 11, "body": "hello world"}))
        got = self.s.raw(b"POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         + b"400\r\n" + b"x" * 1024 + b"\r\n1\r\ny\r\n0\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 413"), got[:100])

    def test_streaming(self):
        r, body = self.s.request("GET", "/stream?n=4")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Transfer-Encoding"), "chunked")
        self.assertEqual(body, b"part 1\npart 2\npart 3\npart 4\n")
        self.assertEqual(r.getheader("X-Mw"), "1")
        # a big stream through one keep-alive connection, then another request on it
        c = self.s.conn()
        c.request("GET", "/stream?n=500")
        r = c.getresponse()
        self.assertEqual(r.read().count(b"part"), 500)
        c.request("GET", "/")
        self.assertEqual(c.getresponse().read(), b"root")
        c.close()
        r, body = self.s.request("HEAD", "/stream")
        self.assertEqual((r.status, body), (200, b""))
        got = self.s.raw(b"GET /stream HTTP/1.0\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.0 200"))
        self.assertTrue(got.endswith(b"\r\n\r\npart 1\npart 2\npart 3\n"), got)
        # a crash after the head: the connection is cut, the body is not terminated
        got = self.s.raw(b"GET /stream-crash HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b"begun", got)
        self.assertFalse(got.endswith(b"0\r\n\r\n"))
        self.assertIn("crash mid-stream", self.s.stderr())
        self.assertEqual(self.s.request("GET", "/")[1], b"root")

    def test_access_log(self):
        self.s.request("GET", "/users/99?x=1")
        time.sleep(0.2)
        recs = [json.loads(l) for l in self.s.lines if l.startswith("{")]
        rec = [r for r in recs if r["path"] == "/users/99?x=1"][-1]
        self.assertEqual((rec["method"], rec["status"], rec["bytes"]), ("GET", 200, len('{"id":"99"}')))
        self.assertIsInstance(rec["us"], int)


class Static(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.root = os.path.join(d, "public")
        os.makedirs(os.path.join(cls.root, "sub"))
        with open(os.path.join(d, "secret.txt"), "w") as f:
            f.write("SECRET")
        with open(os.path.join(cls.root, "hello.txt"), "w") as f:
            f.write("hello static")
        with open(os.path.join(cls.root, "style.css"), "w") as f:
            f.write("body{}")
        with open(os.path.join(cls.root, "sub", "index.html"), "w") as f:
            f.write("<p>index</p>")
        with open(os.path.join(cls.root, "data.bin"), "wb") as f:
            f.write(bytes(range(256)) * 1000)
        os.symlink(os.path.join(d, "secret.txt"), os.path.join(cls.root, "link-out"))
        os.symlink(os.path.join(cls.root, "hello.txt"), os.path.join(cls.root, "link-in"))
        os.symlink(d, os.path.join(cls.root, "dir-out"))
        os.environ["RUA_TEST_STATIC"] = cls.root
        try:
            cls.s = Server(APP, "--log", "off")
        finally:
            del os.environ["RUA_TEST_STATIC"]

    @classmethod
    def tearDownClass(cls):
        assert cls.s.stop() == 0, cls.s.stderr()
        cls.tmp.cleanup()

    def test_files(self):
        r, body = self.s.request("GET", "/static/hello.txt")
        self.assertEqual((r.status, body), (200, b"hello static"))
        self.assertEqual(r.getheader("Content-Type"), "text/plain; charset=utf-8")
        self.assertTrue(r.getheader("ETag").startswith('"'))
        self.assertTrue(r.getheader("Last-Modified").endswith("GMT"))
        self.assertEqual(self.s.request("GET", "/static/style.css")[0].getheader("Content-Type"),
                         "text/css; charset=utf-8")
        r, body = self.s.request("GET", "/static/sub/")
        self.assertEqual((r.status, body), (200, b"<p>index</p>"))
        self.assertEqual(r.getheader("Content-Type"), "text/html; charset=utf-8")
        r, body = self.s.request("GET", "/static/data.bin")
        self.assertEqual(body, bytes(range(256)) * 1000)
        self.assertEqual(r.getheader("Content-Type"), "application/octet-stream")
        self.assertEqual(self.s.request("GET", "/static/link-in")[1], b"hello static")
        r, body = self.s.request("HEAD", "/static/hello.txt")
        self.assertEqual((r.status, body, r.getheader("Content-Length")), (200, b"", "12"))
        self.assertEqual(self.s.request("GET", "/static/hello%2Etxt")[1], b"hello static")

    def test_conditional(self):
        r, _ = self.s.request("GET", "/static/hello.txt")
        etag, lm = r.getheader("ETag"), r.getheader("Last-Modified")
        r, body = self.s.request("GET", "/static/hello.txt", headers={"If-None-Match": etag})
        self.assertEqual((r.status, body, r.getheader("ETag")), (304, b"", etag))
        r, _ = self.s.request("GET", "/static/hello.txt", headers={"If-None-Match": '"other", W/' + etag})
        self.assertEqual(r.status, 304)
        r, _ = self.s.request("GET", "/static/hello.txt", headers={"If-None-Match": '"other"'})
        self.assertEqual(r.status, 200)
        r, _ = self.s.request("GET", "/static/hello.txt", headers={"If-Modified-Since": lm})
        self.assertEqual(r.status, 304)
        r, _ = self.s.request("GET", "/static/hello.txt", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual(r.status, 200)

    def test_traversal(self):
        for path in ("/static/../secret.txt", "/static/..%2fsecret.txt", "/static/..%2Fsecret.txt",
                     "/static/%2e%2e/secret.txt", "/static/sub/..%2F..%2Fsecret.txt", "/static/link-out",
                     "/static/dir-out/secret.txt", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
                     "/static/sub/../../secret.txt", "/static/..%5csecret.txt", "/static/missing",
                     "/static/hello.txt%00.png", "/static/./hello.txt", "/static/sub/%2e%2e/hello.txt"):
            r, body = self.s.request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertNotIn(b"SECRET", body)
        got = self.s.raw(b"GET /static/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 404"), got[:50])

    def test_not_a_folder(self):
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as f:
            f.write("local a = require('rua.web').app(); a:static('/s', '/no/such/folder'); return a")
            f.flush()
            p = subprocess.run([RUA, "serve", f.name, "--port", "0"], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn("static folder '/no/such/folder'", p.stderr)


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class Https(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cert = os.path.join(cls.tmp.name, "cert.pem")
        cls.key = os.path.join(cls.tmp.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cls.key, "-out",
                        cls.cert, "-days", "1", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
        cls.s = Server(APP, "--tls-cert", cls.cert, "--tls-key", cls.key, "--log", "off", "--timeout", "2s")

    @classmethod
    def tearDownClass(cls):
        assert cls.s.stop() == 0, cls.s.stderr()
        cls.tmp.cleanup()

    def conn(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        return http.client.HTTPSConnection("127.0.0.1", self.s.port, context=ctx, timeout=10 * SLOW)

    def test_https(self):
        c = self.conn()
        for i in range(3):  # keep-alive over TLS
            c.request("GET", f"/users/{i}")
            r = c.getresponse()
            self.assertEqual((r.status, json.loads(r.read())), (200, {"id": str(i)}))
        c.request("POST", "/body", body=b"z" * 5000)
        self.assertEqual(json.loads(c.getresponse().read())["len"], 5000)
        c.request("GET", "/stream?n=3")
        self.assertEqual(c.getresponse().read(), b"part 1\npart 2\npart 3\n")
        c.close()

    def test_plain_http_to_tls_port(self):
        got = self.s.raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertFalse(got.startswith(b"HTTP/1.1 200"))
        c = self.conn()  # the server is still fine
        c.request("GET", "/")
        self.assertEqual(c.getresponse().read(), b"root")
        c.close()

    def test_bad_cert(self):
        p = subprocess.run([RUA, "serve", APP, "--port", "0", "--tls-cert", "/no/cert.pem", "--tls-key", self.key],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("TLS certificate", p.stderr)
        p = subprocess.run([RUA, "serve", APP, "--tls-cert", self.cert], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("go together", p.stderr)


class Demo(unittest.TestCase):
    def test_demo_app(self):
        with tempfile.TemporaryDirectory() as d:
            os.environ["DEMO_DB"] = os.path.join(d, "demo.db")
            try:
                s = Server(os.path.join(HERE, "..", "..", "examples", "web", "app.lua"), "--log", "off", workers=2)
            finally:
                del os.environ["DEMO_DB"]
            try:
                r, body = s.request("GET", "/api/todos")
                self.assertEqual(json.loads(body)["count"], 4)
                self.assertIsNotNone(r.getheader("X-Response-Time"))
                r, body = s.request("POST", "/api/todos", body=b'{"title": "test it"}')
                self.assertEqual(r.status, 201)
                new = json.loads(body)
                self.assertEqual((new["title"], new["done"]), ("test it", False))
                r, body = s.request("PATCH", f"/api/todos/{new['id']}", body=b'{"done": true}')
                self.assertEqual(json.loads(body)["done"], True)
                r, _ = s.request("POST", "/api/todos", body=b'{}')
                self.assertEqual(r.status, 422)
                r, _ = s.request("DELETE", f"/api/todos/{new['id']}")
                self.assertEqual(r.status, 204)
                r, body = s.request("GET", "/")
                self.assertEqual(r.status, 200)
                self.assertIn(b"<title>rua demo", body)
            finally:
                self.assertEqual(s.stop(), 0)


class Limits(unittest.TestCase):
    def test_max_connections(self):
        s = Server(APP, "--max-conns", "2", "--log", "off")
        try:
            a = socket.create_connection(("127.0.0.1", s.port))
            b = socket.create_connection(("127.0.0.1", s.port))
            time.sleep(0.2)
            got = s.raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(got.startswith(b"HTTP/1.1 503"), got[:100])
            a.close()
            b.close()
            time.sleep(0.2)
            self.assertEqual(s.request("GET", "/")[1], b"root")
        finally:
            self.assertEqual(s.stop(), 0)

    def test_workers(self):
        s = Server(APP, "--log", "off", workers=3)
        try:
            ids = set()
            for _ in range(30):
                ids.add(json.loads(s.request("GET", "/info")[1])["worker"])
            self.assertTrue(ids <= {0, 1, 2})
        finally:
            self.assertEqual(s.stop(), 0)


class Shutdown(unittest.TestCase):
    def test_drain_in_flight(self):
        s = Server(APP, "--log", "text")
        result = {}

        def slow():
            r, body = s.request("GET", "/sleep?s=0.8")
            result["got"] = (r.status, body)

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGTERM)
        t.join(10 * SLOW)
        self.assertEqual(result.get("got"), (200, b"slept"))
        self.assertEqual(s.proc.wait(10 * SLOW), 0)
        # it stopped accepting
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=1)

    def test_drain_deadline(self):
        s = Server(APP, "--log", "off", "--drain", "300ms")
        c = s.conn()
        c.request("GET", "/sleep?s=30")
        time.sleep(0.2)
        t = time.time()
        s.proc.send_signal(signal.SIGINT)
        self.assertEqual(s.proc.wait(10 * SLOW), 0)
        self.assertLess(time.time() - t, 5 * SLOW)
        c.close()


class Cli(unittest.TestCase):
    def run_rua(self, *args):
        return subprocess.run([RUA, "serve", *args], capture_output=True, text=True, timeout=30)

    def test_bad_options(self):
        for args in (["--port", "x", APP], ["--workers", "0", APP], ["--log", "xml", APP], ["--nope", "1", APP], []):
            p = self.run_rua(*args)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn("usage" if not args else "rua serve", p.stderr)

    def test_bad_apps(self):
        with tempfile.TemporaryDirectory() as d:
            cases = {
                "syntax.lua": ("return {", "unexpected"),
                "notapp.lua": ("return 42", "must return an app"),
                "raise.lua": ("error('nope at load')", "nope at load"),
                "badroute.lua": ("local a = require('rua.web').app(); a:get('x', print); return a", "must start with '/'"),
                "onstart.lua": ("local a = require('rua.web').app(); a:on_start(function() error('start failed') end);"
                                " return a", "start failed"),
            }
            for name, (text, msg) in cases.items():
                path = os.path.join(d, name)
                with open(path, "w") as f:
                    f.write(text)
                p = self.run_rua(path, "--port", "0")
                self.assertEqual(p.returncode, 1, name)
                self.assertIn(msg, p.stderr, name)
            p = self.run_rua(os.path.join(d, "missing.lua"), "--port", "0")
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot open", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
