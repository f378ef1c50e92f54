#!/usr/bin/env python3
"""Python's sqlite3 on the benchmark's database: the reference rua.sqlite is
compared with, on the same file in the same run (bench/sqlite/run.sh).

usage: bench.py gen PATH          write the users table (10,000 rows) to PATH
       bench.py run PATH SECONDS  measure; prints "<measurement> <per second> <per CPU second>"

The rows follow ../shared/bench/web/SPEC.md's users table: the same columns,
drawn from the same 32-bit LCG.
"""
import datetime
import os
import sqlite3
import sys
import time

FIRST = ["Ada", "Alan", "Barbara", "Brian", "Claude", "Dennis", "Donald", "Edsger",
         "Frances", "Grace", "Guido", "Ken", "Linus", "Margaret", "Niklaus", "Radia",
         "Roberto", "Shafi", "Tim", "Yukihiro"]
LAST = ["Hopper", "Knuth", "Lovelace", "Ritchie", "Thompson", "Turing", "Wirth",
        "Liskov", "Dijkstra", "Hamilton", "Perlman", "Kernighan", "Torvalds",
        "Ierusalimschy", "Goldwasser", "Matsumoto", "Allen", "Shannon", "Lee", "Rossum"]
ROWS = 10_000
LOOKUP = "SELECT id, name, email, age, created_at FROM users WHERE id = ?"
INSERT = "INSERT INTO users_copy (name, email, age, created_at) VALUES (?, ?, ?, ?)"
INSERTS = 10_000  # rows per transaction


def rows():
    x = 20240601
    epoch = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)

    def draw(n):
        nonlocal x
        x = (1664525 * x + 1013904223) & 0xFFFFFFFF
        return (x >> 8) % n

    for uid in range(1, ROWS + 1):
        first, last = FIRST[draw(len(FIRST))], LAST[draw(len(LAST))]
        age = 18 + draw(63)
        created = epoch + datetime.timedelta(days=draw(1826), seconds=draw(86400))
        yield (uid, f"{first} {last}", f"{first.lower()}.{last.lower()}{uid}@example.com",
               age, created.strftime("%Y-%m-%dT%H:%M:%SZ"))


def gen(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")  # what rua.sqlite opens with; both sides see the same file
    schema = "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, " \
             "age INTEGER NOT NULL, created_at TEXT NOT NULL)"
    db.execute("CREATE TABLE users " + schema)
    db.execute("CREATE TABLE users_copy " + schema)
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?)", rows())
    db.commit()
    db.close()


def rate(budget, step):
    """Operations per second of step() (which does n operations), best of 5
    rounds: by the wall clock and by the process's CPU time."""
    step()  # warm up
    best = best_cpu = 0.0
    for _ in range(5):
        n, t0, c0 = 0, time.perf_counter(), time.process_time()
        while True:
            n += step()
            dt = time.perf_counter() - t0
            if dt >= budget / 5:
                break
        best = max(best, n / dt)
        best_cpu = max(best_cpu, n / (time.process_time() - c0))
    return best, best_cpu


def report(name, rates):
    print(f"{name} {rates[0]:.0f} {rates[1]:.0f}")


def ids(n):
    """The same pseudo-random ids as bench.lua."""
    return [(i * 7919) % ROWS + 1 for i in range(1, n + 1)]


def run(path, budget):
    db = sqlite3.connect(path, isolation_level=None)
    keys = ids(1000)

    def lookups():
        for k in keys:
            db.execute(LOOKUP, (k,)).fetchone()
        return len(keys)
    report("lookup", rate(budget, lookups))

    cols = ("id", "name", "email", "age", "created_at")

    def lookups_dict():  # rows as dicts, as rua.sqlite gives tables keyed by column name
        for k in keys:
            dict(zip(cols, db.execute(LOOKUP, (k,)).fetchone()))
        return len(keys)
    report("lookup_dict", rate(budget, lookups_dict))

    batch = [(f"name{i}", f"user{i}@example.com", i % 63 + 18, "2024-01-01T00:00:00Z") for i in range(INSERTS)]

    def inserts():
        db.execute("DELETE FROM users_copy")
        db.execute("BEGIN IMMEDIATE")
        for r in batch:
            db.execute(INSERT, r)
        db.execute("COMMIT")
        return INSERTS
    report("insert_tx", rate(budget, inserts))

    def inserts_many():
        db.execute("DELETE FROM users_copy")
        db.execute("BEGIN IMMEDIATE")
        db.executemany(INSERT, batch)
        db.execute("COMMIT")
        return INSERTS
    report("insert_tx_executemany", rate(budget, inserts_many))
    db.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "run":
        run(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
