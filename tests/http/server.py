#!/usr/bin/env python3
"""Runs a rua script against HTTP(S) servers on loopback, for rua.http's tests.

    server.py RUA SCRIPT.lua

Starts a plain HTTP server and, with certificates made by `openssl` in a
temporary folder, an HTTPS one; runs `RUA SCRIPT.lua` with their ports and
files in the environment (HTTP_PORT, HTTPS_PORT, HTTPS_SELF_PORT, HTTP_CA;
SSL_CERT_FILE too for scripts named tls_env*);
passes when the script prints OK last and exits with 0.

The server is written on asyncio streams rather than http.server so that it
can misbehave on purpose: hang, reset, send malformed or truncated
responses, close a kept-alive connection at the second request. It counts
the TCP connections it accepted (GET /stats), which proves keep-alive reuse.
"""
import asyncio
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading

accepted = 0  # TCP connections accepted since the start (or the last /reset-stats)


async def read_request(reader):
    """(method, target, version, headers as a list, body) or None at EOF."""
    line = await reader.readline()
    if not line:
        return None
    method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers = []
    while True:
        h = (await reader.readline()).decode("latin-1").rstrip("\r\n")
        if not h:
            break
        name, _, value = h.partition(":")
        headers.append((name, value.strip()))
    lower = {k.lower(): v for k, v in headers}
    body = b""
    if "chunked" in lower.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                break
            body += await reader.readexactly(size)
            await reader.readline()
    elif "content-length" in lower:
        body = await reader.readexactly(int(lower["content-length"]))
    return method, target, version, headers, body


def response(status, body=b"", headers=(), reason=None):
    reason = reason or {200: "OK", 201: "Created", 204: "No Content", 404: "Not Found"}.get(status, "Status")
    head = f"HTTP/1.1 {status} {reason}\r\n"
    for k, v in headers:
        head += f"{k}: {v}\r\n"
    if status != 204:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def chunked(pieces, trailers=()):
    out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n"
    if trailers:
        out += b"Trailer: " + ", ".join(k for k, _ in trailers).encode() + b"\r\n"
    out += b"\r\n"
    for p in pieces:
        out += b"%x\r\n%s\r\n" % (len(p), p)
    out += b"0\r\n"
    for k, v in trailers:
        out += f"{k}: {v}\r\n".encode()
    return out + b"\r\n"


async def handle(reader, writer):
    global accepted
    accepted += 1
    served = 0
    try:
        while True:
            req = await read_request(reader)
            if req is None:
                break
            method, target, version, headers, body = req
            served += 1
            path, _, query = target.partition("?")
            lower = {k.lower(): v for k, v in headers}
            out = None
            if path == "/json":
                out = response(200, b'{"hello":"world","n":42}', [("Content-Type", "application/json")])
            elif path == "/echo":
                doc = {"method": method, "path": path, "query": query, "version": version,
                       "headers": [[k, v] for k, v in headers], "body": body.decode("latin-1")}
                out = response(200, json.dumps(doc).encode(), [("Content-Type", "application/json")])
            elif path == "/stats":
                out = response(200, str(accepted).encode())
            elif path == "/reset-stats":
                accepted = 1  # this connection
                out = response(200, b"1")
            elif path == "/chunked":
                out = chunked([b"Hello, ", b"chunked ", b"world", b"!" * 3000])
            elif path == "/trailers":
                out = chunked([b"abc", b"def"], [("X-Checksum", "42"), ("X-Done", "yes")])
            elif path == "/headers":
                out = response(200, b"h", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Mixed-Case", "v"),
                                            ("x-multi", "1"), ("X-Multi", "2"), ("X-Multi", "3")])
            elif path == "/big":
                n = int(query or "1000000")
                out = response(200, bytes((i * 7) % 251 for i in range(n)))
            elif path == "/status":
                code = int(query)
                out = response(code, b"" if code in (204, 304) else b"status " + query.encode(), reason="Custom Reason")
            elif path == "/head":
                out = response(200, b"" if method == "HEAD" else b"body of head")
                if method == "HEAD":  # the length of the GET body, no body
                    out = b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"
            elif path == "/close":
                writer.write(response(200, b"bye", [("Connection", "close")]))
                await writer.drain()
                break
            elif path == "/close-later":  # kept alive, then closed while idle
                writer.write(response(200, b"later"))
                await writer.drain()
                await asyncio.sleep(0.05)
                break
            elif path == "/huge-header":
                out = response(200, b"x", [("X-Huge", "h" * 100000)])
            elif path == "/http10":  # HTTP/1.0 without keep-alive: the client must not pool it
                out = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
            elif path == "/eof-body":
                writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
                await writer.drain()
                break
            elif path == "/hang":
                await asyncio.sleep(3600)
            elif path == "/slow-body":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                await writer.drain()
                await asyncio.sleep(3600)
            elif path == "/truncated":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                await writer.drain()
                break
            elif path == "/malformed":
                writer.write(b"HTTP/1.1 abc What\r\n\r\n")
                await writer.drain()
                break
            elif path == "/garbage":
                writer.write(b"\x00\x01\x02 not http at all\r\n\r\n")
                await writer.drain()
                break
            elif path == "/bad-chunk":
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n")
                await writer.drain()
                break
            elif path == "/reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            elif path == "/once":
                # Answers the first request of a connection only: a second one
                # on it finds the connection closed, as when a server's idle
                # timeout and the client's reuse cross.
                if served > 1:
                    break
                out = response(200, b"once " + method.encode())
            elif path == "/interim":
                out = b"HTTP/1.1 100 Continue\r\n\r\n" + response(200, b"after continue")
            elif path == "/delay":
                await asyncio.sleep(float(query))
                out = response(200, b"late")
            else:
                out = response(404, b"not found")
            writer.write(out)
            await writer.drain()
            if lower.get("connection", "").lower() == "close":
                break
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


def make_certs(folder):
    """A CA, a certificate for localhost/127.0.0.1 signed by it, and a self-signed one."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=folder, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=rua test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost")
    with open(os.path.join(folder, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")


def serve(loop, ready, folder):
    asyncio.set_event_loop(loop)

    async def start():
        plain = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=2048)
        signed = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        signed.load_cert_chain(os.path.join(folder, "server.pem"), os.path.join(folder, "server.key"))
        tls = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=signed, backlog=2048)
        selfsigned = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        selfsigned.load_cert_chain(os.path.join(folder, "self.pem"), os.path.join(folder, "self.key"))
        tls_self = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=selfsigned, backlog=2048)
        ready.append([s.sockets[0].getsockname()[1] for s in (plain, tls, tls_self)])

    loop.run_until_complete(start())
    loop.run_forever()


def main():
    rua, script = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        make_certs(folder)
        loop = asyncio.new_event_loop()
        ready = []
        threading.Thread(target=serve, args=(loop, ready, folder), daemon=True).start()
        while not ready:
            threading.Event().wait(0.01)
        env = dict(os.environ, HTTP_PORT=str(ready[0][0]), HTTPS_PORT=str(ready[0][1]),
                   HTTPS_SELF_PORT=str(ready[0][2]), HTTP_CA=os.path.join(folder, "ca.pem"))
        if os.path.basename(script).startswith("tls_env"):  # the CA through OpenSSL's variable
            env["SSL_CERT_FILE"] = env["HTTP_CA"]
        proc = subprocess.run([rua, script], env=env, capture_output=True, text=True, timeout=300)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        lines = proc.stdout.strip().splitlines()
        ok = proc.returncode == 0 and lines and lines[-1] == "OK"
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
