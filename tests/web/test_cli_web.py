"""`firewatch user ...`, `token ...` and `audit ...` as an operator runs them (the command
line's main() in this process: its exit codes and messages)."""

from __future__ import annotations

import pytest

from firewatch.store import open_store
from firewatch.web.security import verify_password


@pytest.fixture
def fw(run_firewatch):
    """`fw(*args, data_dir=..., input_text="")`: the command line with stdin."""
    return lambda *args, data_dir, input_text="": run_firewatch(*args, data_dir=data_dir, input=input_text)


def test_user_and_token_commands(tmp_path, fw):
    data = tmp_path / "data"
    added = fw("user", "add", "carol", "--role", "platform", "--platform", "jd", "--password-stdin",
               data_dir=data, input_text="a-long-password\n")
    assert added.returncode == 0, added.stderr
    refused = fw("user", "add", "dave", "--role", "platform", "--password-stdin", data_dir=data,
                 input_text="a-long-password\n")
    assert refused.returncode != 0 and "platform" in (refused.stderr + refused.stdout)
    short = fw("user", "add", "erin", "--role", "analyst", "--password-stdin", data_dir=data, input_text="short\n")
    assert short.returncode != 0
    again = fw("user", "add", "carol", "--role", "analyst", "--password-stdin", data_dir=data,
               input_text="a-long-password\n")
    assert again.returncode == 1 and "exists" in again.stderr
    changed = fw("user", "passwd", "carol", "--password-stdin", data_dir=data, input_text="another-password\n")
    assert changed.returncode == 0, changed.stderr
    listed = fw("user", "list", data_dir=data)
    assert "carol" in listed.stdout and "platform" in listed.stdout
    token = fw("token", "add", "--platform", "jd", "--name", "jd-sync", data_dir=data)
    assert token.returncode == 0, token.stderr
    value = token.stdout.strip().splitlines()[-1]
    with open_store(data / "firewatch.db") as store:
        assert verify_password(store.users.get_user("carol")["password_hash"], "another-password")
        assert store.users.api_token_owner(value)["name"] == "jd-sync"
        assert value not in str(store._db.execute("SELECT * FROM api_tokens").fetchall())
    assert fw("token", "revoke", "1", data_dir=data).returncode == 0
    assert fw("token", "revoke", "1", data_dir=data).returncode == 66
    assert "jd-sync" in fw("token", "list", data_dir=data).stdout


def test_audit_verify_catches_a_rewritten_entry_and_a_cut_off_tail(tmp_path, fw):
    data = tmp_path / "data"
    for name in ("ann", "ben", "cat"):
        assert fw("user", "add", name, "--role", "analyst", "--password-stdin", data_dir=data,
                  input_text="a-long-password\n").returncode == 0
    intact = fw("audit", "verify", data_dir=data)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    head = next(line.split()[-1] for line in intact.stdout.splitlines() if "chain head" in line)
    assert fw("audit", "verify", "--head", head, data_dir=data).returncode == 0
    assert "user_add" in fw("audit", "list", data_dir=data).stdout
    with open_store(data / "firewatch.db") as store:
        first = min(r["id"] for r in store.users.audit_entries())
        store._db.execute("UPDATE audit_log SET actor='mallory' WHERE id=?", (first,))
    rewritten = fw("audit", "verify", data_dir=data)
    assert rewritten.returncode == 3 and f"entry {first}:" in rewritten.stdout
    with open_store(data / "firewatch.db") as store:
        store._db.execute("UPDATE audit_log SET actor='cli' WHERE id=?", (first,))  # undo, then cut the tail
        store._db.execute("DELETE FROM audit_log WHERE id=?", (int(head.split(":")[0]),))
    assert fw("audit", "verify", data_dir=data).returncode == 0  # the shorter chain is whole ...
    cut = fw("audit", "verify", "--head", head, data_dir=data)
    assert cut.returncode == 3 and "gone" in cut.stdout  # ... but the recorded head tells
