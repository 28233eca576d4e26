"""The refusals every service answers besides request validation (401, 403, 404, 409, 413, 415, 429, 503...),
worded in English and Bahasa Indonesia: part of the one catalogue of ``shared.validation_messages``, which reads
them by their ``type``.

A message is formatted with the error's ``ctx`` only (limits, a count, codes of our own): never with the request's
input, a token, a claim value or anything about a person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Template = str | Callable[[Mapping[str, Any]], str]


def _at_line(word: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda ctx: f" ({word} {ctx['line']})" if ctx.get("line") else ""


_LINE_EN, _LINE_ID = _at_line("line"), _at_line("baris")

# type -> (English, Indonesian): a string formatted with the ``ctx``, or a function of it.
REFUSALS: Mapping[str, tuple[Template, Template]] = {
    # The HTTP edge (shared.http_errors, shared.limits, shared.service).
    "body_too_large": (
        "The request body is larger than the {max_bytes} bytes this service accepts.",
        "Isi permintaan lebih besar dari {max_bytes} byte yang diterima layanan ini.",
    ),
    "body_not_utf8": (
        "The request body must be JSON encoded as UTF-8.", "Isi permintaan harus berupa JSON dengan pengodean UTF-8.",
    ),
    "body_unreadable": ("The request body could not be read.", "Isi permintaan tidak dapat dibaca."),
    "at_capacity": (
        "The service is at capacity; try again in {retry_after} s.",
        "Layanan sedang penuh; coba lagi dalam {retry_after} detik.",
    ),
    "rate_limited": (
        "Too many requests; try again in {retry_after} s.",
        "Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
    ),
    "service_unavailable": (
        "The service is unavailable for now; nothing was done. Try again in {retry_after} s.",
        "Layanan sedang tidak tersedia; tidak ada yang dilakukan. Coba lagi dalam {retry_after} detik.",
    ),
    "internal_error": (
        "Something went wrong on our side; nothing more is said here. Try again later.",
        "Terjadi kesalahan di pihak kami. Coba lagi nanti.",
    ),
    "not_found": ("There is nothing at this address.", "Tidak ada apa pun di alamat ini."),
    "method_not_allowed": (
        "This address does not take this method.", "Alamat ini tidak menerima metode permintaan ini.",
    ),
    "unsupported_media_type": (
        "The request body is not in a format this address takes.",
        "Format isi permintaan tidak diterima oleh alamat ini.",
    ),
    "http_error": ("The request was refused (HTTP {status_code}).", "Permintaan ditolak (HTTP {status_code})."),
    # Who is calling (shared.dependencies).
    "authentication_required": (
        "Sign in first: this needs a token.", "Masuk terlebih dahulu: permintaan ini memerlukan token.",
    ),
    "token_expired": ("Your token has expired; sign in again.", "Token Anda sudah kedaluwarsa; masuk kembali."),
    "token_invalid": ("Your token is not accepted; sign in again.", "Token Anda tidak diterima; masuk kembali."),
    "role_not_allowed": ("Your role may not do this.", "Peran Anda tidak diizinkan melakukan ini."),
    # What may not be seen answers exactly like what does not exist.
    "case_not_found": ("No such case that you may see.", "Tidak ada kasus tersebut yang boleh Anda lihat."),
    "draft_not_found": ("No such draft.", "Tidak ada draf tersebut."),
    "referral_not_found": (
        "No such referral that you may see.", "Tidak ada rujukan tersebut yang boleh Anda lihat.",
    ),
    "case_referrals_not_found": (
        "No referral of this case that you may see (or it is not routed yet).",
        "Tidak ada rujukan kasus ini yang boleh Anda lihat (atau kasus belum dirujuk).",
    ),
    "follow_up_not_found": (
        "No such follow-up that you may see.", "Tidak ada tindak lanjut tersebut yang boleh Anda lihat.",
    ),
    "agency_not_found": ("No such agency.", "Tidak ada lembaga tersebut."),
    "subscription_not_found": ("No such subscription.", "Tidak ada langganan tersebut."),
    "delivery_not_found": ("No such dead-lettered delivery.", "Tidak ada pengiriman gagal tersebut."),
    "gateway_unknown": ("No such message gateway.", "Tidak ada gateway pesan tersebut."),
    # Seen, but not the caller's to do.
    "signature_refused": (
        "The message's signature is missing or wrong.", "Tanda tangan pesan tidak ada atau salah.",
    ),
    "case_change_not_allowed": (
        "Only who recorded the case or an agency handling it may change it.",
        "Hanya pencatat kasus atau lembaga yang menanganinya yang boleh mengubahnya.",
    ),
    "case_reopen_not_allowed": (
        "Only the district supervisor of its regency or its lead agency may reopen a case.",
        "Hanya supervisor kabupaten/kota kasus atau lembaga utamanya yang boleh membuka kembali kasus.",
    ),
    "referral_move_not_allowed": (
        "Your agency or role may not make this move on this referral.",
        "Lembaga atau peran Anda tidak boleh melakukan langkah ini pada rujukan ini.",
    ),
    "follow_up_not_allowed": (
        "Only the referral's agency sets and reads its follow-ups, while its access lasts.",
        "Hanya lembaga rujukan yang mengatur dan membaca tindak lanjutnya, selama aksesnya masih berlaku.",
    ),
    "referrals_not_listed": ("Your role lists no referrals.", "Peran Anda tidak memiliki daftar rujukan."),
    "subscription_not_yours": (
        "This subscription is not yours to manage.", "Langganan ini bukan wewenang Anda untuk dikelola.",
    ),
    "outside_your_region": (
        "This is outside the region you supervise.", "Ini di luar wilayah yang Anda awasi.",
    ),
    # Not possible in the current state (409).
    "case_not_open": (
        "The case is closed: it can no longer be changed. It can be reopened.",
        "Kasus sudah ditutup: tidak dapat diubah lagi. Kasus dapat dibuka kembali.",
    ),
    "case_not_closed": (
        "The case is open: only a closed case can be reopened.",
        "Kasus masih terbuka: hanya kasus yang sudah ditutup yang dapat dibuka kembali.",
    ),
    "draft_completed": ("The draft was already completed.", "Draf sudah diselesaikan."),
    "referral_not_live": (
        "The referral's work is over: follow-ups are set and done only while it is live.",
        "Pekerjaan rujukan sudah berakhir: tindak lanjut hanya diatur dan diselesaikan selama rujukan berjalan.",
    ),
    "rules_version_conflict": (
        "The rules in force are version {in_force}; a new version must be {next_version}.",
        "Aturan yang berlaku adalah versi {in_force}; versi baru harus {next_version}.",
    ),
    # The statistics' query (422).
    "group_by_unknown": ("Group by any of: {allowed}.", "Kelompokkan menurut salah satu dari: {allowed}."),
    "date_range_reversed": (
        "Must not be before the start date (from).", "Tidak boleh sebelum tanggal awal (from).",
    ),
    "province_code_invalid": ("Must be a province code, e.g. 62.", "Harus berupa kode provinsi, mis. 62."),
    "regency_code_invalid": (
        "Must be a regency or city code, e.g. 62.13.", "Harus berupa kode kabupaten/kota, mis. 62.13.",
    ),
    "district_code_invalid": (
        "Must be a district (kecamatan) code, e.g. 62.13.01.", "Harus berupa kode kecamatan, mis. 62.13.01.",
    ),
    "district_outside_regency": (
        "The district (kecamatan) must lie in the regency or city asked for.",
        "Kecamatan harus berada di kabupaten/kota yang diminta.",
    ),
    # The body's format (415, 422).
    "directory_media_type": (
        "Send the directory as application/yaml.", "Kirim direktori sebagai application/yaml.",
    ),
    "yaml_invalid": (
        lambda ctx: f"The body is not YAML{_LINE_EN(ctx)}.", lambda ctx: f"Isi permintaan bukan YAML{_LINE_ID(ctx)}.",
    ),
}
