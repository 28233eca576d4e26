"""Human labels for the values a notification carries, in each language a subscription can choose.

Notifications carry enum values (``fisik``, ``P1``, ``uptd_ppa``); messages show them as words. Every label
lives here, one table per language, so that a wording is changed in one place. A value without a label is shown
as it is: a new enum value added by another service must never stop a notification from being sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone

from notifications.domain.subscriptions import Language

# kind -> value -> label. Kinds are named after the field or vocabulary enum they label.
LABELS: dict[Language, dict[str, dict[str, str]]] = {
    Language.INDONESIAN: {
        "violence_type": {
            "fisik": "kekerasan fisik",
            "psikis": "kekerasan psikis",
            "seksual": "kekerasan seksual",
            "eksploitasi": "eksploitasi",
            "perdagangan_orang": "tindak pidana perdagangan orang (TPPO)",
            "penelantaran": "penelantaran",
            "lainnya": "kekerasan lainnya",
        },
        "priority": {"P1": "P1 (darurat)", "P2": "P2 (mendesak)", "P3": "P3 (biasa)"},
        "deadline": {"accept": "menerima rujukan", "first_service": "memulai layanan pertama"},
        "close_reason": {
            "handled": "penanganan selesai",
            "duplicate": "duplikat dari kasus lain",
            "withdrawn": "laporan dicabut",
            "referred_elsewhere": "ditangani oleh pihak di luar Sinergi",
            "unreachable": "korban atau pelapor tidak dapat dihubungi",
        },
        "reopen_reason": {
            "victim_returned": "korban kembali meminta layanan",
            "repeat_perpetrator": "kekerasan berulang oleh pelaku yang sama",
            "closed_by_mistake": "kasus keliru ditutup",
            "new_information": "ada informasi baru",
        },
        "need": {
            "pengaduan": "layanan pengaduan",
            "kesehatan": "layanan kesehatan",
            "bantuan_hukum": "bantuan hukum",
            "penegakan_hukum": "penegakan hukum",
            "rehabilitasi_sosial": "rehabilitasi sosial",
            "reintegrasi_sosial": "reintegrasi sosial",
            "pemulangan": "pemulangan",
            "pendampingan_tokoh_agama": "pendampingan tokoh agama",
            "penampungan_sementara": "penampungan sementara (rumah aman)",
            "mediasi": "mediasi",
        },
        "agency_type": {
            "uptd_ppa": "UPTD PPA",
            "dinas_ppa": "Dinas PPA (DP3A)",
            "police_ppa": "Unit PPA Kepolisian",
            "kodim": "Kodim",
            "health": "fasilitas kesehatan (Puskesmas/RSUD)",
            "dinas_sosial": "Dinas Sosial",
            "dinas_pendidikan": "Dinas Pendidikan",
            "legal_aid": "lembaga bantuan hukum",
            "ngo": "lembaga swadaya masyarakat",
            "community": "perlindungan anak berbasis masyarakat (PATBM)",
            "national_hotline": "SAPA 129",
        },
        "report_channel": {
            "hotline": "layanan telepon",
            "web": "formulir daring",
            "whatsapp": "WhatsApp",
            "sms": "SMS",
            "walk_in": "datang langsung",
            "police": "kepolisian",
            "school": "sekolah",
            "health": "fasilitas kesehatan",
            "community": "masyarakat",
        },
        "place": {
            "rumah_tangga": "rumah tangga",
            "fasilitas_umum": "fasilitas umum",
            "sekolah": "sekolah",
            "tempat_kerja": "tempat kerja",
            "daring": "ranah daring",
            "lainnya": "lainnya",
        },
        "sex": {"perempuan": "perempuan", "laki_laki": "laki-laki"},
        "age_group": {
            "0-5": "usia 0-5 tahun",
            "6-12": "usia 6-12 tahun",
            "13-17": "usia 13-17 tahun",
            "18-24": "usia 18-24 tahun",
            "25-44": "usia 25-44 tahun",
            "45-59": "usia 45-59 tahun",
            "60+": "usia 60 tahun ke atas",
            "unknown": "usia tidak diketahui",
        },
        "education": {
            "belum_sekolah": "belum sekolah",
            "tidak_sekolah": "tidak sekolah",
            "sd": "pendidikan SD",
            "sltp": "pendidikan SLTP",
            "slta": "pendidikan SLTA",
            "perguruan_tinggi": "pendidikan perguruan tinggi",
            "tidak_diketahui": "pendidikan tidak diketahui",
        },
        "nationality": {"wni": "WNI", "wna": "WNA"},
        "relationship": {
            "suami_istri": "suami/istri",
            "pacar_teman": "pacar/teman",
            "orang_tua": "orang tua",
            "tetangga": "tetangga",
            "keluarga_saudara": "keluarga/saudara",
            "guru": "guru",
            "rekan_kerja": "rekan kerja",
            "majikan": "majikan",
            "lainnya": "lainnya",
            "tidak_diketahui": "tidak diketahui",
        },
        "triage_reason": {
            "ongoing_danger": "korban masih dalam bahaya",
            "trafficking": "dugaan perdagangan orang",
            "child_sexual_violence": "kekerasan seksual terhadap anak",
            "injuries": "korban mengalami luka",
            "child_victim": "korban adalah anak",
            "sexual_violence": "kekerasan seksual",
            "child_in_conflict_with_law": "anak berhadapan dengan hukum",
            "no_urgent_factor": "tidak ada faktor mendesak",
        },
        "link_reason": {
            "same_victim": "korban yang sama",
            "same_contact": "kontak yang sama",
            "same_place_and_time": "tempat dan waktu kejadian yang sama",
        },
        "consent_giver": {
            "korban": "diberikan oleh korban",
            "wali": "diberikan oleh wali korban",
            "belum_ditanyakan": "belum ditanyakan kepada korban",
        },
        "referral_status": {
            "created": "menunggu diterima",
            "accepted": "diterima",
            "declined": "ditolak",
            "service_started": "layanan berjalan",
            "completed": "selesai",
            "revoked": "dicabut",
        },
        "update_kind": {"information_added": "dilengkapi", "corrected": "dikoreksi"},
        "case_field": {
            "case_number": "nomor kasus",
            "province_code": "provinsi",
            "regency_code": "kabupaten/kota",
            "violence_types": "bentuk kekerasan",
            "child_in_conflict_with_law": "status ABH",
            "place": "tempat kejadian",
            "incident_date": "waktu kejadian",
            "incident_date_precision": "waktu kejadian",
            "victims": "data korban",
            "perpetrators": "data pelaku",
            "needs": "kebutuhan layanan",
            "consent": "persetujuan berbagi data",
            "priority": "prioritas",
            "triage_reasons": "alasan prioritas",
            "channel": "saluran pengaduan",
            "reported_at": "waktu pelaporan",
        },
    },
    Language.ENGLISH: {
        "violence_type": {
            "fisik": "physical violence",
            "psikis": "psychological violence",
            "seksual": "sexual violence",
            "eksploitasi": "exploitation",
            "perdagangan_orang": "human trafficking (TPPO)",
            "penelantaran": "neglect",
            "lainnya": "other violence",
        },
        "priority": {"P1": "P1 (emergency)", "P2": "P2 (urgent)", "P3": "P3 (standard)"},
        "deadline": {"accept": "accepting the referral", "first_service": "starting the first service"},
        "close_reason": {
            "handled": "handling completed",
            "duplicate": "a duplicate of another case",
            "withdrawn": "the report was withdrawn",
            "referred_elsewhere": "handled outside Sinergi",
            "unreachable": "the victim or reporter could not be reached",
        },
        "reopen_reason": {
            "victim_returned": "the victim came back for help",
            "repeat_perpetrator": "violence again by the same perpetrator",
            "closed_by_mistake": "the case was closed by mistake",
            "new_information": "new information came in",
        },
        "need": {
            "pengaduan": "complaint handling",
            "kesehatan": "health care",
            "bantuan_hukum": "legal aid",
            "penegakan_hukum": "law enforcement",
            "rehabilitasi_sosial": "social rehabilitation",
            "reintegrasi_sosial": "social reintegration",
            "pemulangan": "return home (repatriation)",
            "pendampingan_tokoh_agama": "support from a religious leader",
            "penampungan_sementara": "temporary shelter (safe house)",
            "mediasi": "mediation",
        },
        "agency_type": {
            "uptd_ppa": "UPTD PPA",
            "dinas_ppa": "Dinas PPA (DP3A)",
            "police_ppa": "police women and children unit (Unit PPA)",
            "kodim": "military district command (Kodim)",
            "health": "health facility (Puskesmas/RSUD)",
            "dinas_sosial": "social affairs office (Dinas Sosial)",
            "dinas_pendidikan": "education office (Dinas Pendidikan)",
            "legal_aid": "legal aid organisation",
            "ngo": "NGO",
            "community": "community-based child protection (PATBM)",
            "national_hotline": "SAPA 129",
        },
        "report_channel": {
            "hotline": "telephone hotline",
            "web": "web form",
            "whatsapp": "WhatsApp",
            "sms": "SMS",
            "walk_in": "walk-in",
            "police": "police",
            "school": "school",
            "health": "health facility",
            "community": "community",
        },
        "place": {
            "rumah_tangga": "household",
            "fasilitas_umum": "public place",
            "sekolah": "school",
            "tempat_kerja": "workplace",
            "daring": "online",
            "lainnya": "other",
        },
        "sex": {"perempuan": "female", "laki_laki": "male"},
        "age_group": {
            "0-5": "aged 0-5",
            "6-12": "aged 6-12",
            "13-17": "aged 13-17",
            "18-24": "aged 18-24",
            "25-44": "aged 25-44",
            "45-59": "aged 45-59",
            "60+": "aged 60 or over",
            "unknown": "age unknown",
        },
        "education": {
            "belum_sekolah": "not yet at school",
            "tidak_sekolah": "no schooling",
            "sd": "primary education",
            "sltp": "junior secondary education",
            "slta": "senior secondary education",
            "perguruan_tinggi": "higher education",
            "tidak_diketahui": "education unknown",
        },
        "nationality": {"wni": "Indonesian citizen", "wna": "foreign national"},
        "relationship": {
            "suami_istri": "spouse",
            "pacar_teman": "partner or friend",
            "orang_tua": "parent",
            "tetangga": "neighbour",
            "keluarga_saudara": "relative",
            "guru": "teacher",
            "rekan_kerja": "co-worker",
            "majikan": "employer",
            "lainnya": "other",
            "tidak_diketahui": "unknown",
        },
        "triage_reason": {
            "ongoing_danger": "the victim is still in danger",
            "trafficking": "suspected trafficking",
            "child_sexual_violence": "sexual violence against a child",
            "injuries": "the victim is injured",
            "child_victim": "the victim is a child",
            "sexual_violence": "sexual violence",
            "child_in_conflict_with_law": "a child in conflict with the law",
            "no_urgent_factor": "no urgent factor",
        },
        "link_reason": {
            "same_victim": "the same victim",
            "same_contact": "the same contact",
            "same_place_and_time": "the same place and time",
        },
        "consent_giver": {
            "korban": "given by the victim",
            "wali": "given by the victim's guardian",
            "belum_ditanyakan": "not yet asked of the victim",
        },
        "referral_status": {
            "created": "awaiting acceptance",
            "accepted": "accepted",
            "declined": "declined",
            "service_started": "service under way",
            "completed": "completed",
            "revoked": "withdrawn",
        },
        "update_kind": {"information_added": "supplemented", "corrected": "corrected"},
        "case_field": {
            "case_number": "case number",
            "province_code": "province",
            "regency_code": "regency/city",
            "violence_types": "violence types",
            "child_in_conflict_with_law": "child in conflict with the law",
            "place": "place",
            "incident_date": "incident date",
            "incident_date_precision": "incident date",
            "victims": "victims",
            "perpetrators": "perpetrators",
            "needs": "needs",
            "consent": "consent to share",
            "priority": "priority",
            "triage_reasons": "priority reasons",
            "channel": "report channel",
            "reported_at": "report time",
        },
    },
}

MONTHS: dict[Language, tuple[str, ...]] = {
    Language.INDONESIAN: (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
        "November", "Desember",
    ),
    Language.ENGLISH: (
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ),
}

_AND = {Language.INDONESIAN: "dan", Language.ENGLISH: "and"}
_UNKNOWN_DATE = {Language.INDONESIAN: "tidak diketahui", Language.ENGLISH: "unknown"}

# Indonesia's three time zones, by Kemendagri province code; none observes daylight saving, so fixed offsets
# are exact. Deadlines are shown in the case's local time, which is the time the agency works by.
_WIB = timezone(timedelta(hours=7), "WIB")
_WITA = timezone(timedelta(hours=8), "WITA")
_WIT = timezone(timedelta(hours=9), "WIT")
_WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})


def label(language: Language, kind: str, value: object) -> str:
    """The label of ``value`` as a ``kind``, or the value itself when it has none."""
    raw = "" if value is None else str(value)
    return LABELS.get(language, {}).get(kind, {}).get(raw, raw)


def label_list(language: Language, kind: str, values: Iterable[object]) -> str:
    """Labels joined as a sentence would: ``a, b dan c``."""
    labels = [label(language, kind, value) for value in values]
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {_AND[language]} {labels[-1]}"


def local_timezone(province_code: object) -> timezone:
    """The time zone of a province (``62``) or of the province of a regency (``62.13``); UTC if not known."""
    if not isinstance(province_code, str) or len(province_code) < 2 or not province_code[:2].isdigit():
        return UTC
    province = province_code[:2]
    if province in _WIT_PROVINCES:
        return _WIT
    return _WITA if province in _WITA_PROVINCES else _WIB


def format_datetime(language: Language, value: object, zone: timezone, *, short: bool = False) -> str:
    """``14 Maret 2026 pukul 09.30 WIB`` / ``14 March 2026, 09:30 WIB`` (``short``: ``14 Mar 2026 09.30 WIB``).

    Accepts a datetime or its ISO text (facts arrive as JSON); anything else is shown as it is.
    """
    moment = _as_datetime(value)
    if moment is None:
        return "" if value is None else str(value)
    local = moment.astimezone(zone)
    month = MONTHS[language][local.month - 1]
    zone_name = local.tzname() or "UTC"
    if language is Language.INDONESIAN:
        clock = f"{local.hour:02d}.{local.minute:02d}"
        return f"{local.day} {month[:3]} {local.year} {clock} {zone_name}" if short else (
            f"{local.day} {month} {local.year} pukul {clock} {zone_name}"
        )
    clock = f"{local.hour:02d}:{local.minute:02d}"
    return f"{local.day} {month[:3]} {local.year} {clock} {zone_name}" if short else (
        f"{local.day} {month} {local.year}, {clock} {zone_name}"
    )


def format_date(language: Language, value: object, precision: object = "day") -> str:
    """A date only as precise as it is known: ``5 Maret 2026``, ``Maret 2026``, ``2026`` or ``tidak diketahui``."""
    day = _as_date(value)
    if day is None or precision == "unknown":
        return _UNKNOWN_DATE[language] if value is None or precision == "unknown" else str(value)
    month = MONTHS[language][day.month - 1]
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{month} {day.year}"
    return f"{day.day} {month} {day.year}"


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    # A time without a zone is taken as UTC, the zone every Sinergi event uses.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
