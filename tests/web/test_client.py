#!/usr/bin/env python3
"""rua.http against rua serve: runs client_against_server.lua (a plain rua
script) against a two-worker server of shared_app.lua.

usage: test_client.py RUA_BINARY
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_web  # noqa: E402  (takes RUA_BINARY from argv)

HERE = os.path.dirname(os.path.abspath(__file__))


class ClientAgainstServer(unittest.TestCase):
    def test_client_script(self):
        server = test_web.Server(os.path.join(HERE, "shared_app.lua"), "--log", "off", workers=2)
        try:
            r = subprocess.run([test_web.RUA, os.path.join(HERE, "client_against_server.lua"), str(server.port)],
                               capture_output=True, text=True, timeout=120 * test_web.SLOW)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("client_against_server ok", r.stdout)
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
