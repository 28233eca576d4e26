"""Drafts of a referral's forms: which fields are kept, whose they are after a sign-in, and what an ended
session leaves behind (whose it was and its CSRF token, never a token)."""

from __future__ import annotations

from typing import Any

from workspace.domain.drafts import draft, form_page, owned_by, referral_of_form, typed
from workspace.domain.session import EndedSession, ended_session, is_tombstone, tombstone
from workspace.service_layer.signin import signed_in

CASE, REFERRAL = "6f1c2b4e-1d2a-4b7c-9e0f-0a1b2c3d4e5f", "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70"
PAGE = f"/cases/{CASE}/referrals/{REFERRAL}"


def test_a_referral_form_belongs_to_its_referrals_page() -> None:
    for action in ("notes", "decline", "complete", "follow-ups", f"follow-ups/{CASE}/done"):
        assert form_page(f"{PAGE}/{action}") == PAGE
        assert referral_of_form(f"{PAGE}/{action}") == REFERRAL
    assert form_page("/language") is None
    assert form_page(f"{PAGE}/notes/../../x") is None


def test_only_what_was_typed_is_kept() -> None:
    form = {"csrf_token": "t", "note": "Catatan", "reason": "", "services_given": ["kesehatan"], "province": "62"}
    assert typed(form) == {"note": "Catatan", "services_given": ["kesehatan"]}


def test_after_sign_in_only_the_persons_own_drafts_stay() -> None:
    session: dict[str, Any] = {"return_to": PAGE, "drafts": {
        REFERRAL: draft({"note": "mine"}, owner="staff-1", why="expired"),
        CASE: draft({"note": "someone else's"}, owner="staff-2", why="expired"),
    }, "_state_sinergi_x": {"data": "the sign-in's state"}}
    signed_in(session, {"access_token": "a", "expires_in": 300}, {"sub": "staff-1", "sinergi_roles": []}, "id")
    assert session["drafts"] == {REFERRAL: {"values": {"note": "mine"}, "owner": "staff-1", "why": "expired"}}
    assert owned_by(session["drafts"], "staff-2") == {}
    assert session["return_to"] == PAGE
    assert "_state_sinergi_x" not in session


def test_an_ended_session_leaves_whose_it_was_and_no_token() -> None:
    data = {"person": {"sub": "staff-1", "name": "Sari"}, "tokens": {"access_token": "secret-token",
            "refresh_token": "secret-refresh"}, "csrf": "form-token", "lang": "en"}
    ended = EndedSession("staff-1", "form-token", "en")
    assert ended_session(data) == ended
    grave = tombstone(data)
    assert is_tombstone(grave)
    assert "secret" not in str(grave)
    assert "Sari" not in str(grave)
    assert ended_session(grave) == ended
    assert tombstone(grave) == grave
    assert ended_session({"csrf": "anonymous"}) is None  # nobody was signed in: nothing to keep for anyone
