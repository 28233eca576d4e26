"""The workspace's gettext catalogues: every message of its code and templates is translated in every language,
placeholders survive translation, and the compiled .mo files are those of the .po files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from workspace.entrypoints.rendering import LANGUAGES, LOCALES, Pages

WORKSPACE = Path(__file__).resolve().parents[2]


def _messages() -> set[str]:
    """What ``make translations`` extracts (babel.cfg, keywords _ and N_)."""
    with (WORKSPACE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "N_": None}
    found = extract_from_dir(str(WORKSPACE), method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_has_every_message_translated(lang: str) -> None:
    messages = _messages()
    assert len(messages) > 50
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    missing = sorted(m for m in messages if m not in catalogue or not catalogue[m].string)
    assert missing == [], f"untranslated in {lang} (run `make translations` and translate): {missing}"
    fuzzy = sorted(str(m.id) for m in catalogue if m.id and m.fuzzy)
    assert fuzzy == []
    for message in catalogue:
        if message.id:
            assert set(re.findall(r"%\(\w+\)s", str(message.string))) == set(re.findall(r"%\(\w+\)s", str(message.id)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_is_the_po_file(lang: str) -> None:
    folder = LOCALES / lang / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}


def test_pages_speak_indonesian_unless_asked_otherwise() -> None:
    pages = Pages()
    assert pages.translations["id"].gettext("Accept the referral") == "Terima rujukan"
    assert pages.translations["en"].gettext("Accept the referral") == "Accept the referral"
