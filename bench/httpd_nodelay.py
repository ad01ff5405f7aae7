#!/usr/bin/env python3
"""httpd_nodelay.py - tests/e2e/httpd.py, unchanged, with TCP_NODELAY on
each connection (socketserver's disable_nagle_algorithm).

Why: httpd.py's handler writes the headers and the body of a response in two
send() calls on a keep-alive connection.  With Nagle's algorithm on, the
body waits for the client's ACK of the headers, and the client delays that
ACK (Linux: up to 40 ms), so every request after the first on a connection
costs ~40 ms of idle time on both sides.  A client that makes 20 requests
then spends ~0.8 s waiting on the server whatever its own speed, which is
what the benchmarks would measure.  Same arguments as httpd.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import httpd  # noqa: E402

httpd.Handler.disable_nagle_algorithm = True

if __name__ == "__main__":
    sys.exit(httpd.main(sys.argv[1:]))
