"""The embedded default (an SQLite file) takes concurrent writers from several workers.

Each gunicorn worker is a process with its own connection. Without a busy timeout and
immediate transactions, a transaction that reads and then writes fails at once with
"database is locked" whenever another is writing; the settings make it wait its turn.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 4
TRANSACTIONS = 150
# A worker's transaction as the services write one: read, then write, in one atomic block.
WRITER = f"""
import os, sys, time
import django
django.setup()
from django.db import connection, transaction
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.01)
for _ in range({TRANSACTIONS}):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tally")
        seen = cursor.fetchone()[0]
        cursor.execute("INSERT INTO tally (writer, seen) VALUES (%s, %s)", [sys.argv[1], seen])
"""


CREATE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE tally (id INTEGER PRIMARY KEY, writer TEXT, seen INTEGER)")
"""


def test_concurrent_writers_to_a_sqlite_file_are_never_told_it_is_locked(tmp_path):
    database = tmp_path / "db.sqlite3"
    go = tmp_path / "go"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
           "DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "bonecare.settings",
           "DATABASE_URL": f"sqlite:///{database}"}
    # One process first, as `migrate` is: its connection turns the file to WAL for good.
    subprocess.run([sys.executable, "-c", CREATE], cwd=ROOT, env=env, check=True, timeout=60)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(n), str(go)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for n in range(WRITERS)]
    time.sleep(1.5)  # every writer has started Django and waits for the others
    go.touch()
    outcomes = [writer.communicate(timeout=120) for writer in writers]

    errors = [err for _, err in outcomes if "Error" in err]
    assert not errors, errors[0][-2000:]
    assert [writer.returncode for writer in writers] == [0] * WRITERS
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT COUNT(*) FROM tally").fetchone()[0] == WRITERS * TRANSACTIONS
        # Each transaction saw every one committed before it: the writes were serialised.
        seen = [row[0] for row in check.execute("SELECT seen FROM tally ORDER BY id")]
        assert seen == list(range(WRITERS * TRANSACTIONS))
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
