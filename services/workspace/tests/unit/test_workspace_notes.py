from workspace.service_layer.referral_view import notes_of


def test_notes_show_who_wrote_them_and_the_text_only_to_who_may_read_it() -> None:
    updates = [
        {"update_id": "u1", "note": "Korban sudah dihubungi.", "written_at": "2026-12-07T01:00:00+00:00",
         "author": {"user_id": "staff-1", "agency_id": "uptd-ppa-62.13"}},
        # As a region's supervisor reads it: the author and the time, no text.
        {"update_id": "u2", "note": None, "written_at": "2026-12-07T02:00:00+00:00",
         "author": {"user_id": "staff-2", "agency_id": "uptd-ppa-62.13"}},
    ]
    notes = notes_of(updates)
    assert [(n.update_id, n.text, n.author) for n in notes] == [
        ("u2", None, "staff-2 (uptd-ppa-62.13)"), ("u1", "Korban sudah dihubungi.", "staff-1 (uptd-ppa-62.13)")]
