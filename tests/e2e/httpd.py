#!/usr/bin/env python3
"""httpd.py - the test HTTP(S) server for ward's unit and end-to-end tests.

Standard library only.  Listens on 127.0.0.1 and nowhere else: the attack
endpoints below would be a nuisance on a real network.

    httpd.py --root DIR [--port 0] [--port-file FILE]
             [--tls-cert C --tls-key K [--client-ca CA]] [-v]

Once listening, the chosen port is written to --port-file (temp file, then
rename, so a reader never sees a partial number); the file is removed again
on exit.  SIGTERM and SIGINT stop the server cleanly.

Static files are served from --root (GET and HEAD, Content-Length always
set, no directory listings, nothing outside the root).  Special paths play
the attacks a TUF client must survive:

    /_ok               "ok\\n"
    /_endless          bytes forever, no Content-Length, connection close
    /_endless_cl       claims a huge Content-Length, then bytes forever
    /_slow             one byte every 2 seconds, forever
    /_redirect/N       a chain of N redirects ending at /_ok
    /_redirect_loop    redirects to itself
    /_status/CODE      answers with that status (200..599)

Faults: if ROOT/.faults.json exists it is re-read on every request and maps
request paths ("/a/b" or "a/b") to one action:

    {"status": 500}              answer with that status
    {"slow": true}               behave like /_slow
    {"endless": true}            behave like /_endless
    {"replace_with": "x/y"}      serve ROOT/x/y instead
    {"redirect": "URL"}          302 to URL

The query string is ignored when matching paths and files.
"""

import argparse
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse

BIND_ADDR = "127.0.0.1"  # never anything else
CHUNK = 64 * 1024
HUGE_LENGTH = 1 << 40
SLOW_INTERVAL_S = 2.0


class Stop(Exception):
    """Raised from the signal handler to leave serve_forever()."""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    server_version = "ward-test-httpd"
    timeout = 60  # an idle or stuck client does not hold a thread forever
    # Headers and body go out in two send()s on a keep-alive connection; with
    # Nagle on, the body waits for the delayed ACK (~40 ms per request).
    disable_nagle_algorithm = True

    # -- plumbing ---------------------------------------------------------

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("httpd: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._dispatch(send_body=True)

    def do_HEAD(self):
        self._dispatch(send_body=False)

    def _dispatch(self, send_body):
        self.send_body = send_body
        path = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(path)
        try:
            fault = self._fault_for(path)
            if fault is not None:
                self._apply_fault(fault)
            else:
                self._route(path)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            # The client went away, usually because it refused what we sent.
            self.close_connection = True

    def _fault_for(self, path):
        fpath = os.path.join(self.server.root, ".faults.json")
        try:
            with open(fpath, "rb") as f:
                faults = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            self.log_message("bad .faults.json: %s", e)
            return None
        if not isinstance(faults, dict):
            return None
        key = path.lstrip("/")
        for k, v in faults.items():
            if isinstance(k, str) and k.lstrip("/") == key and isinstance(v, dict):
                return v
        return None

    def _apply_fault(self, fault):
        if "status" in fault:
            self._status(int(fault["status"]))
        elif fault.get("slow"):
            self._slow()
        elif fault.get("endless"):
            self._endless(claim_length=False)
        elif "replace_with" in fault:
            self._static("/" + str(fault["replace_with"]).lstrip("/"))
        elif "redirect" in fault:
            self._redirect(str(fault["redirect"]))
        else:
            self._status(500)

    def _route(self, path):
        if path == "/_ok":
            self._bytes(200, b"ok\n")
        elif path == "/_endless":
            self._endless(claim_length=False)
        elif path == "/_endless_cl":
            self._endless(claim_length=True)
        elif path == "/_slow":
            self._slow()
        elif path == "/_redirect_loop":
            self._redirect("/_redirect_loop")
        elif path.startswith("/_redirect/"):
            n = self._int_tail(path, "/_redirect/", 0, 1000)
            if n is None:
                self._status(404)
            elif n == 0:
                self._bytes(200, b"ok\n")
            else:
                self._redirect("/_redirect/%d" % (n - 1) if n > 1 else "/_ok")
        elif path.startswith("/_status/"):
            code = self._int_tail(path, "/_status/", 200, 599)
            self._status(code if code is not None else 404)
        else:
            self._static(path)

    @staticmethod
    def _int_tail(path, prefix, lo, hi):
        tail = path[len(prefix):]
        if not tail.isdigit() or len(tail) > 4:
            return None
        n = int(tail)
        return n if lo <= n <= hi else None

    # -- responses --------------------------------------------------------

    def _bytes(self, code, body, ctype="application/octet-stream"):
        no_body = code in (204, 304)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if not no_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.send_body and not no_body:
            self.wfile.write(body)

    def _status(self, code):
        self._bytes(code, b"status %d\n" % code, "text/plain")

    def _redirect(self, location):
        body = b"redirect\n"
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.send_body:
            self.wfile.write(body)

    def _endless(self, claim_length):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if claim_length:
            self.send_header("Content-Length", str(HUGE_LENGTH))
        self.send_header("Connection", "close")
        self.end_headers()
        if not self.send_body:
            return
        block = b"\x41" * CHUNK
        while not self.server.stopping.is_set():
            self.wfile.write(block)

    def _slow(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        if not self.send_body:
            return
        self.wfile.flush()
        while not self.server.stopping.wait(SLOW_INTERVAL_S):
            self.wfile.write(b"s")
            self.wfile.flush()

    def _static(self, path):
        full = self._resolve(path)
        if full is None:
            self._status(404)
            return
        try:
            f = open(full, "rb")
        except OSError:
            self._status(404)
            return
        with f:
            size = os.fstat(f.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if not self.send_body:
                return
            while True:
                block = f.read(CHUNK)
                if not block:
                    break
                self.wfile.write(block)

    def _resolve(self, path):
        """Maps a URL path to a regular file under the root, or None."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." or "\0" in p for p in parts) or not parts:
            return None
        if parts == [".faults.json"]:
            return None
        root = self.server.root
        full = os.path.realpath(os.path.join(root, *parts))
        if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
            return None
        return full


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, root, port, tls_ctx, verbose):
        self.root = os.path.realpath(root)
        self.tls_ctx = tls_ctx
        self.verbose = verbose
        self.stopping = threading.Event()
        super().__init__((BIND_ADDR, port), Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a
        # client that stalls or fails the handshake cannot block accept().
        if self.tls_ctx is not None:
            try:
                request.settimeout(Handler.timeout)
                request = self.tls_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                if self.verbose:
                    sys.stderr.write("httpd: TLS handshake with %s failed: %s\n" % (client_address[0], e))
                return
        try:
            super().finish_request(request, client_address)
        finally:
            if self.tls_ctx is not None:
                try:
                    request.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def make_tls_context(cert, key, client_ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=client_ca)
    return ctx


def main(argv):
    ap = argparse.ArgumentParser(description="ward test HTTP(S) server (127.0.0.1 only)")
    ap.add_argument("--root", required=True, help="directory to serve")
    ap.add_argument("--port", type=int, default=0, help="port (0 = any free one)")
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    ap.add_argument("--tls-cert", help="server certificate (PEM)")
    ap.add_argument("--tls-key", help="server private key (PEM)")
    ap.add_argument("--client-ca", help="require client certificates issued by this CA")
    ap.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    args = ap.parse_args(argv)

    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.client_ca and not args.tls_cert:
        ap.error("--client-ca needs --tls-cert and --tls-key")
    if not os.path.isdir(args.root):
        ap.error("--root %s: not a directory" % args.root)

    tls_ctx = make_tls_context(args.tls_cert, args.tls_key, args.client_ca) if args.tls_cert else None
    server = Server(args.root, args.port, tls_ctx, args.verbose)

    def on_signal(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # A client closing early must not kill the server.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    port = server.server_address[1]
    wrote_port_file = False
    try:
        if args.port_file:
            write_port_file(args.port_file, port)
            wrote_port_file = True
        if args.verbose:
            sys.stderr.write("httpd: serving %s on %s://%s:%d\n"
                             % (server.root, "https" if tls_ctx else "http", BIND_ADDR, port))
        server.serve_forever(poll_interval=0.2)
    except Stop:
        pass
    finally:
        server.stopping.set()  # ends endless and slow responses
        server.server_close()
        if wrote_port_file:
            try:
                os.unlink(args.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
