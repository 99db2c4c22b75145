"""`firewatch user ...` and `firewatch token ...` in a child process, as an operator runs them."""

from __future__ import annotations

import subprocess

from firewatch.store import open_store
from firewatch.web.security import verify_password
from tests.conftest import ROOT, firewatch_command


def run_firewatch(*args: str, data_dir, input_text: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(firewatch_command(data_dir, *args), input=input_text, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_user_and_token_commands(tmp_path):
    data = tmp_path / "data"
    added = run_firewatch("user", "add", "carol", "--role", "platform", "--platform", "jd", "--password-stdin",
                          data_dir=data, input_text="a-long-password\n")
    assert added.returncode == 0, added.stderr
    refused = run_firewatch("user", "add", "dave", "--role", "platform", "--password-stdin", data_dir=data,
                            input_text="a-long-password\n")
    assert refused.returncode != 0 and "platform" in (refused.stderr + refused.stdout)
    short = run_firewatch("user", "add", "erin", "--role", "analyst", "--password-stdin", data_dir=data, input_text="short\n")
    assert short.returncode != 0
    again = run_firewatch("user", "add", "carol", "--role", "analyst", "--password-stdin", data_dir=data,
                          input_text="a-long-password\n")
    assert again.returncode == 1 and "exists" in again.stderr
    changed = run_firewatch("user", "passwd", "carol", "--password-stdin", data_dir=data, input_text="another-password\n")
    assert changed.returncode == 0, changed.stderr
    listed = run_firewatch("user", "list", data_dir=data)
    assert "carol" in listed.stdout and "platform" in listed.stdout
    token = run_firewatch("token", "add", "--platform", "jd", "--name", "jd-sync", data_dir=data)
    assert token.returncode == 0, token.stderr
    value = token.stdout.strip().splitlines()[-1]
    with open_store(data / "firewatch.db") as store:
        assert verify_password(store.users.get_user("carol")["password_hash"], "another-password")
        assert store.users.api_token_owner(value)["name"] == "jd-sync"
        assert value not in str(store._db.execute("SELECT * FROM api_tokens").fetchall())
    assert run_firewatch("token", "revoke", "1", data_dir=data).returncode == 0
    assert run_firewatch("token", "revoke", "1", data_dir=data).returncode == 66
    assert "jd-sync" in run_firewatch("token", "list", data_dir=data).stdout


def test_audit_verify_catches_a_rewritten_entry_and_a_cut_off_tail(tmp_path):
    data = tmp_path / "data"
    for name in ("ann", "ben", "cat"):
        assert run_firewatch("user", "add", name, "--role", "analyst", "--password-stdin", data_dir=data,
                             input_text="a-long-password\n").returncode == 0
    intact = run_firewatch("audit", "verify", data_dir=data)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    head = next(line.split()[-1] for line in intact.stdout.splitlines() if "chain head" in line)
    assert run_firewatch("audit", "verify", "--head", head, data_dir=data).returncode == 0
    assert "user_add" in run_firewatch("audit", "list", data_dir=data).stdout
    with open_store(data / "firewatch.db") as store:
        first = min(r["id"] for r in store.users.audit_entries())
        store._db.execute("UPDATE audit_log SET actor='mallory' WHERE id=?", (first,))
    rewritten = run_firewatch("audit", "verify", data_dir=data)
    assert rewritten.returncode == 3 and f"entry {first}:" in rewritten.stdout
    with open_store(data / "firewatch.db") as store:
        store._db.execute("UPDATE audit_log SET actor='cli' WHERE id=?", (first,))  # undo, then cut the tail
        store._db.execute("DELETE FROM audit_log WHERE id=?", (int(head.split(":")[0]),))
    assert run_firewatch("audit", "verify", data_dir=data).returncode == 0  # the shorter chain is whole ...
    cut = run_firewatch("audit", "verify", "--head", head, data_dir=data)
    assert cut.returncode == 3 and "gone" in cut.stdout  # ... but the recorded head tells
