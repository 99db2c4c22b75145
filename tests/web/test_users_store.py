"""The web app's store mixin: users, sessions, login failures, the chained audit log,
cases, API tokens and removal reports."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from firewatch.core.models import Listing
from firewatch.store import open_store
from firewatch.web.security import hash_password, verify_password


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    s.listings.upsert_listing(Listing("jd", "1", "http://x/1", "灭火器", Decimal("9.90")))
    yield s
    s.close()


def test_users_roles_and_passwords(store):
    store.users.add_user("alice", "regulator", hash_password("correct horse"))
    with pytest.raises(ValueError, match="exists"):
        store.users.add_user("alice", "analyst", hash_password("another one"))
    with pytest.raises(ValueError, match="role"):
        store.users.add_user("bob", "superuser", hash_password("another one"))
    with pytest.raises(ValueError, match="platform"):
        store.users.add_user("jd", "platform", hash_password("another one"))
    stored = store.users.get_user("alice")["password_hash"]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert verify_password(stored, "correct horse") and not verify_password(stored, "wrong horse")
    assert not verify_password(None, "correct horse")
    with pytest.raises(ValueError):
        hash_password("short")


def test_sessions_expire_and_end_on_password_change(store):
    store.users.add_user("alice", "regulator", hash_password("correct horse"))
    store.users.create_session("tok-1", "alice", "csrf-1", timedelta(hours=1))
    store.users.create_session("tok-old", "alice", "csrf-2", timedelta(seconds=-1))
    user, csrf = store.users.session_user("tok-1")
    assert user["name"] == "alice" and csrf == "csrf-1"
    assert store.users.session_user("tok-old") is None and store.users.session_user("nope") is None
    assert "tok-1" not in str(store._db.execute("SELECT * FROM web_sessions").fetchall())  # only digests stored
    store.users.set_password_hash("alice", hash_password("new password!"))
    assert store.users.session_user("tok-1") is None


def test_login_failures_count_per_user_and_address_until_a_success(store):
    window = timedelta(minutes=15)
    for _ in range(3):
        store.users.record_login_attempt("alice", "10.0.0.1", False)
    store.users.record_login_attempt("alice", "10.0.0.2", False)
    assert store.users.recent_login_failures("alice", "10.0.0.1", window) == 3
    assert store.users.recent_login_failures("alice", "10.0.0.2", window) == 1
    assert store.users.recent_login_failures("bob", "10.0.0.1", window) == 0
    store.users.record_login_attempt("alice", "10.0.0.1", True)
    assert store.users.recent_login_failures("alice", "10.0.0.1", window) == 0


def test_audit_log_is_chained_and_tampering_shows(store):
    ids = [store.users.audit("alice", "login", "", {}, "127.0.0.1"), store.users.audit("alice", "decision", "jd:1", {"verdict": "confirm"}),
           store.users.audit("alice", "export_takedown", "jd", {"format": "csv"})]
    assert store.users.audit_verify() == []
    assert [e["id"] for e in store.users.audit_entries()] == ids[::-1]
    assert store.users.audit_entries(subject="jd:1")[0]["detail"] == {"verdict": "confirm"}
    store._db.execute("UPDATE audit_log SET detail=? WHERE id=?", ('{"verdict": "dismiss"}', ids[1]))
    assert store.users.audit_verify() == [ids[1]]
    store._db.execute("DELETE FROM audit_log WHERE id=?", (ids[1],))
    assert store.users.audit_verify() == [ids[2]]


def test_cases_tokens_and_removals(store):
    case_id = store.reviews.create_case("专案", "ivy")
    assert store.reviews.add_case_item(case_id, ("jd", "1"), "ivy") is True
    assert store.reviews.add_case_item(case_id, ("jd", "1"), "ivy") is False
    with pytest.raises(ValueError):
        store.reviews.add_case_item(case_id, ("jd", "404"), "ivy")
    with pytest.raises(ValueError):
        store.reviews.add_case_item(999, ("jd", "1"), "ivy")
    assert [c["items"] for c in store.reviews.cases()] == [1]
    token_id = store.users.add_api_token("sync", "jd", "secret-token")
    assert store.users.api_token_owner("secret-token")["platform"] == "jd"
    assert store.users.api_tokens()[0]["last_used_at"] is not None
    assert store.users.revoke_api_token(token_id) and not store.users.revoke_api_token(token_id)
    assert store.users.api_token_owner("secret-token") is None
    store.notices.report_removed(("jd", "1"), "jd_team", "done")
    assert store.notices.removal_reports("jd")["1"]["reported_by"] == "jd_team"


def test_names_differing_in_case_or_width_are_one_name(store):
    from firewatch.store.users import login_key

    store.users.add_user("alice", "regulator", hash_password("correct horse"))
    for other in ("Alice", "ALICE ", "ａｌｉｃｅ"):
        assert login_key(other) == "alice"
        with pytest.raises(ValueError, match="exists"):
            store.users.add_user(other, "analyst", hash_password("another one"))
    window = timedelta(minutes=15)
    store.users.record_login_attempt("Alice", "10.0.0.1", False)
    store.users.record_login_attempt("ａｌｉｃｅ", "10.0.0.1", False)
    assert store.users.recent_login_failures("ALICE", "10.0.0.1", window) == 2
    store.users.record_login_attempt("bob", "10.0.0.1", False)
    store.users.record_login_attempt("carol", "10.0.0.2", False)
    assert store.users.recent_ip_failures("10.0.0.1", window) == 3 and store.users.recent_ip_failures("10.0.0.3", window) == 0


def test_a_hash_upgrade_keeps_sessions_and_loses_a_race(store):
    store.users.add_user("alice", "regulator", hash_password("correct horse"))
    old = store.users.get_user("alice")["password_hash"]
    store.users.create_session("tok-1", "alice", "csrf-1", timedelta(hours=1))
    new = hash_password("correct horse")
    assert store.users.upgrade_password_hash("alice", old, new)
    assert store.users.get_user("alice")["password_hash"] == new and store.users.session_user("tok-1") is not None
    assert not store.users.upgrade_password_hash("alice", old, hash_password("correct horse"))  # changed meanwhile
