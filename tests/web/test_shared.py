#!/usr/bin/env python3
"""web.shared from several workers of one `rua serve` process: every worker
sees the others' writes, and incr is atomic across them.

usage: test_shared.py RUA_BINARY [unittest args]
"""
import json
import os
import sys
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_web  # noqa: E402  (takes RUA_BINARY from argv)

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shared_app.lua")


class SharedDict(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = test_web.Server(APP, "--log", "off", workers=2)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def get(self, path, method="GET", body=None):
        # A new connection per request, so that SO_REUSEPORT spreads them over the workers.
        c = self.server.conn()
        try:
            c.request(method, path, body=body)
            r = c.getresponse()
            return r.status, json.loads(r.read())
        finally:
            c.close()

    def test_incr_is_atomic_across_workers(self):
        n = 300
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: self.get("/hit"), range(n)))
        self.assertTrue(all(s == 200 for s, _ in results))
        counts = sorted(b["n"] for _, b in results)
        workers = {b["worker"] for _, b in results}
        self.assertEqual(len(workers), 2, "both workers answered")
        # every increment seen once: n distinct values, ending at the total
        self.assertEqual(len(set(counts)), n)
        self.assertEqual(self.get("/count")[1]["n"], counts[-1])

    def test_a_value_set_by_one_worker_is_read_by_the_other(self):
        seen_by = {}
        for i in range(60):
            s, b = self.get("/cache/k%d" % i, "POST", body="v%d" % i)
            self.assertEqual(s, 200)
            seen_by[i] = b["worker"]
        readers = set()
        for i in range(60):
            s, b = self.get("/cache/k%d" % i)
            self.assertEqual((s, b["value"]), (200, "v%d" % i))
            if b["worker"] != seen_by[i]:
                readers.add(i)
        self.assertTrue(readers, "some values were read by the other worker")

    def test_ttl(self):
        s, _ = self.get("/cache/short?ttl=0.2", "POST", body="x")
        self.assertEqual(s, 200)
        self.assertEqual(self.get("/cache/short")[0], 200)
        time.sleep(0.4)
        self.assertEqual(self.get("/cache/short")[0], 404)


if __name__ == "__main__":
    unittest.main()
