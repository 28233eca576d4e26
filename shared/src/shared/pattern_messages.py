"""What a value that does not match a field's pattern should look like, said with an example ("62.13"), never
with the regular expression: the people who fill in Sinergi's forms read examples, not regexes.

Each pattern the contracts and the services' APIs use is listed here with its example (``tests`` walk every
service's OpenAPI document for patterns missing from this table); any other pattern gets a plain sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

# (what it is in English, in Bahasa Indonesia, examples)
_Kind = tuple[str, str, tuple[str, ...]]
_PROVINCE: _Kind = ("a two-digit province code", "kode provinsi dua digit", ("62",))
_REGENCY: _Kind = ("a regency or city code", "kode kabupaten/kota", ("62.13",))
# An example that exists (Dusun Timur): intake refuses an unknown code.
_DISTRICT: _Kind = ("a district (kecamatan) code", "kode kecamatan", ("62.13.01",))
_REGION: _Kind = ("a province or regency code", "kode provinsi atau kabupaten/kota", ("62", "62.13"))
_PHONE: _Kind = ("a phone number", "nomor telepon", ("+6281234567890",))
_EMAIL: _Kind = ("an email address", "alamat email", ("nama@contoh.go.id",))

_KINDS: Mapping[str, _Kind] = {
    r"^\d{2}$": _PROVINCE,
    r"^(\d{2})?$": _PROVINCE,
    r"^\d{2}\.\d{2}$": _REGENCY,
    r"^(\d{2}\.\d{2})?$": _REGENCY,
    # An example that exists (Pulau Patai): intake refuses an unknown code.
    r"^\d{2}\.\d{2}\.\d{2}$": _DISTRICT,
    r"^(\d{2}\.\d{2}\.\d{2})?$": _DISTRICT,  # the dashboard's form: an empty field is no filter
    r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$": ("a village (desa) code", "kode desa/kelurahan", ("62.13.01.2003",)),
    r"^\d{2}(\.\d{2})?$": _REGION,
    r"^[0-9]{2}(\.[0-9]{2})?$": _REGION,
    # A routing rule's region (issue 23): down to the kecamatan or desa.
    r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$": (
        "a province, regency, kecamatan or desa code", "kode provinsi, kabupaten/kota, kecamatan, atau desa",
        ("62", "62.13", "62.13.01"),
    ),
    r"^\+?[0-9]{6,20}$": _PHONE,
    r"^\+?\(?[0-9][0-9 ()\-]{5,31}$": _PHONE,
    r"^\+?[0-9][0-9 ()\-]{2,31}$": _PHONE,
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": _EMAIL,
    r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$": _EMAIL,
    r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$": (
        "lowercase letters and digits joined by - or .", "huruf kecil dan angka yang dihubungkan dengan - atau .",
        ("uptd-ppa-62.13",),
    ),
    r"^[a-z0-9]+(?:[-/][a-z0-9]+)*$": (
        "lowercase letters and digits joined by - or /", "huruf kecil dan angka yang dihubungkan dengan - atau /",
        ("police/sexual-violence",),
    ),
    r"^(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$": (
        "a time range", "rentang waktu", ("08:00-16:00",),
    ),
    # The digest a directory import's dry run answers with, echoed to apply its deactivations.
    r"^[0-9a-f]{64}$": (
        "the digest of a dry run (64 hexadecimal characters)", "ringkasan (digest) uji coba (64 karakter heksadesimal)",
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",),
    ),
}

KNOWN_PATTERNS: frozenset[str] = frozenset(_KINDS)


def pattern_examples(pattern: object) -> tuple[str, ...]:
    """Values that match ``pattern``, as the messages show them (none for a pattern not listed)."""
    kind = _KINDS.get(str(pattern))
    return () if kind is None else kind[2]


def pattern_message_en(pattern: object) -> str:
    kind = _KINDS.get(str(pattern))
    if kind is None:
        return "Does not have the required format."
    return f"Must be {kind[0]}, e.g. {' or '.join(kind[2])}."


def pattern_message_id(pattern: object) -> str:
    kind = _KINDS.get(str(pattern))
    if kind is None:
        return "Formatnya tidak sesuai."
    return f"Harus berupa {kind[1]}, mis. {' atau '.join(kind[2])}."
