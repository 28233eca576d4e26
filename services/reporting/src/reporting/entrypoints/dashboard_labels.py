"""The dashboard's words, in Bahasa Indonesia and English: the page's text, and labels for the values statistics
are broken down by (``fisik``, ``6-12``, ``2025-03``). A value without a label is shown as it is, so a new
vocabulary value never breaks the page."""

from __future__ import annotations

from shared.validation_messages import Language

TEXT: dict[Language, dict[str, str]] = {
    Language.ID: {
        "title": "Dasbor Statistik Kekerasan terhadap Perempuan dan Anak",
        "subtitle": "Sinergi: angka kasus dan rujukan untuk Rencana Aksi Daerah (RAD), dihitung cara SIMFONI-PPA",
        "filters": "Saring",
        "from": "Dari tanggal",
        "to": "Sampai tanggal",
        "province": "Kode provinsi",
        "regency": "Kode kabupaten/kota",
        "district": "Kode kecamatan",
        "breadcrumbs": "Jejak wilayah",
        "apply": "Terapkan",
        "other_language": "English",
        "period": "Periode",
        "all_time": "seluruh waktu",
        "region": "Wilayah",
        "all_regions": "seluruh wilayah",
        "exact_view": "Angka pasti untuk wilayah yang Anda awasi. Jangan dibagikan di luar tugas Anda.",
        "public_view": "Tampilan publik: angka 1 sampai 4 disamarkan sebagai <5.",
        "total_cases": "Jumlah kasus",
        "total_referrals": "Jumlah rujukan",
        "cases": "Kasus",
        "chart_province": "Kasus menurut provinsi",
        "chart_regency": "Kasus menurut kabupaten/kota",
        "chart_district": "Kasus menurut kecamatan",
        "chart_village": "Kasus menurut desa/kelurahan",
        "caption_province": "Setiap kasus dihitung sekali, di provinsi tempat kejadian. Pilih provinsi di tabel "
        "data untuk melihat kabupaten/kotanya.",
        "chart_violence_type": "Kasus menurut bentuk kekerasan",
        "chart_age_group": "Kasus menurut kelompok umur korban",
        "chart_month": "Kasus menurut bulan pelaporan",
        "caption_regency": "Setiap kasus dihitung sekali, di kabupaten/kota tempat kejadian. Pilih kabupaten/kota "
        "di tabel data untuk melihat kecamatannya.",
        "caption_district": "Setiap kasus dihitung sekali, di kecamatan tempat kejadian (\"Tidak disebutkan\" bila "
        "laporan tidak menyebutnya). Pilih kecamatan di tabel data untuk melihat desa/kelurahannya.",
        "caption_village": "Setiap kasus dihitung sekali, di desa/kelurahan tempat kejadian. Pada tampilan publik, "
        "desa/kelurahan dengan 1 sampai 4 kasus tidak ditampilkan sendiri tetapi digabung.",
        "caption_violence_type": "Satu kasus dengan dua bentuk kekerasan dihitung di masing-masing bentuk; "
        "jumlah batang dapat melebihi jumlah kasus.",
        "caption_age_group": "Kasus dengan korban dari beberapa kelompok umur dihitung di masing-masing kelompok.",
        "caption_month": "Menurut bulan laporan diterima (UTC).",
        "no_data": "Tidak ada kasus pada periode dan wilayah ini.",
        "data_table": "Tabel data",
        "category": "Kategori",
        "count": "Jumlah",
        "referrals_heading": "Rujukan dan waktu tanggap per lembaga",
        "referrals_caption": "Rujukan yang dibuat pada periode ini, per lembaga tujuan. Waktu dalam jam sejak "
        "rujukan dibuat; kepatuhan SLA adalah bagian tenggat (menerima dan memulai layanan) yang terpenuhi.",
        "agency": "Lembaga",
        "referrals": "Rujukan",
        "accepted": "Diterima",
        "accept_median": "Jam sampai diterima (median)",
        "accept_p90": "Jam sampai diterima (p90)",
        "service_median": "Jam sampai layanan pertama (median)",
        "service_p90": "Jam sampai layanan pertama (p90)",
        "sla": "Kepatuhan SLA",
        "escalations": "Eskalasi",
        "open": "Masih berjalan",
        "closed": "Selesai",
        "no_referrals": "Tidak ada rujukan pada periode dan wilayah ini.",
        "referrals_of_regency": "Rujukan tidak mencatat kecamatan: angka rujukan di bawah ini untuk seluruh "
        "kabupaten/kota.",
        "dash_note": "\N{EN DASH} : belum ada rujukan yang sampai tahap itu, atau (tampilan publik) lembaga "
        "dengan kurang dari 5 rujukan.",
        "notes": "Cara membaca",
        "note_suppression": "<5 berarti 1 sampai 4. Angka kecil disamarkan agar korban tidak dapat dikenali; "
        "jika hanya satu sel yang kecil, sel terkecil berikutnya juga disamarkan agar tidak dapat dihitung dari "
        "jumlah total. Pengawas wilayah yang masuk dengan akunnya melihat angka pasti.",
        "note_simfoni": "Penghitungan mengikuti SIMFONI-PPA: satu kasus dengan dua bentuk kekerasan dihitung di "
        "masing-masing bentuk, tetapi hanya sekali dalam jumlah kasus.",
        "suppressed_bar": "disamarkan (1 sampai 4)",
    },
    Language.EN: {
        "title": "Violence against Women and Children: Statistics Dashboard",
        "subtitle": "Sinergi: cases and referrals for regional action plans (RAD), counted the SIMFONI-PPA way",
        "filters": "Filter",
        "from": "From",
        "to": "To",
        "province": "Province code",
        "regency": "Regency/city code",
        "district": "District (kecamatan) code",
        "breadcrumbs": "Region trail",
        "apply": "Apply",
        "other_language": "Bahasa Indonesia",
        "period": "Period",
        "all_time": "all time",
        "region": "Region",
        "all_regions": "all regions",
        "exact_view": "Exact figures for the region you supervise. Do not share them beyond your duties.",
        "public_view": "Public view: counts of 1 to 4 are shown as <5.",
        "total_cases": "Cases",
        "total_referrals": "Referrals",
        "cases": "Cases",
        "chart_province": "Cases by province",
        "chart_regency": "Cases by regency/city",
        "chart_district": "Cases by district (kecamatan)",
        "chart_village": "Cases by village (desa/kelurahan)",
        "caption_province": "Each case counts once, in the province where it happened. Choose a province in the "
        "data table to see its regencies and cities.",
        "chart_violence_type": "Cases by type of violence",
        "chart_age_group": "Cases by victims' age group",
        "chart_month": "Cases by month reported",
        "caption_regency": "Each case counts once, in the regency/city where it happened. Choose one in the data "
        "table to see its districts.",
        "caption_district": "Each case counts once, in the district where it happened (\"Not stated\" when the "
        "report named none). Choose a district in the data table to see its villages.",
        "caption_village": "Each case counts once, in the village where it happened. In the public view, villages "
        "with 1 to 4 cases are not shown on their own but merged.",
        "caption_violence_type": "A case with two types of violence counts under each; the bars can add up to "
        "more than the number of cases.",
        "caption_age_group": "A case with victims of several age groups counts under each.",
        "caption_month": "By the month the report came in (UTC).",
        "no_data": "No cases in this period and region.",
        "data_table": "Data table",
        "category": "Category",
        "count": "Count",
        "referrals_heading": "Referrals and response times by agency",
        "referrals_caption": "Referrals made in the period, by the agency referred to. Times in hours from the "
        "referral; SLA compliance is the share of deadlines (to accept and to start service) that were met.",
        "agency": "Agency",
        "referrals": "Referrals",
        "accepted": "Accepted",
        "accept_median": "Hours to accept (median)",
        "accept_p90": "Hours to accept (p90)",
        "service_median": "Hours to first service (median)",
        "service_p90": "Hours to first service (p90)",
        "sla": "SLA compliance",
        "escalations": "Escalations",
        "open": "Open",
        "closed": "Closed",
        "no_referrals": "No referrals in this period and region.",
        "referrals_of_regency": "Referrals record no district: the referral figures below are for the whole "
        "regency/city.",
        "dash_note": "\N{EN DASH} : no referral got that far yet, or (public view) an agency with fewer than 5 "
        "referrals.",
        "notes": "How to read this",
        "note_suppression": "<5 means 1 to 4. Small counts are withheld so that no victim can be recognised; "
        "when only one cell is small, the next smallest is withheld too, so it cannot be worked out from the "
        "total. Supervisors signed in see the exact figures of their region.",
        "note_simfoni": "Counted the SIMFONI-PPA way: a case with two types of violence counts under each type, "
        "and once in the number of cases.",
        "suppressed_bar": "withheld (1 to 4)",
    },
}

VALUE_LABELS: dict[Language, dict[str, dict[str, str]]] = {
    Language.ID: {
        "violence_type": {
            "fisik": "Fisik",
            "psikis": "Psikis",
            "seksual": "Seksual",
            "eksploitasi": "Eksploitasi",
            "perdagangan_orang": "Perdagangan orang (TPPO)",
            "penelantaran": "Penelantaran",
            "lainnya": "Lainnya",
        },
        "age_group": {
            "0-5": "0-5 tahun",
            "6-12": "6-12 tahun",
            "13-17": "13-17 tahun",
            "18-24": "18-24 tahun",
            "25-44": "25-44 tahun",
            "45-59": "45-59 tahun",
            "60+": "60 tahun ke atas",
            "unknown": "Tidak diketahui",
        },
    },
    Language.EN: {
        "violence_type": {
            "fisik": "Physical",
            "psikis": "Psychological",
            "seksual": "Sexual",
            "eksploitasi": "Exploitation",
            "perdagangan_orang": "Trafficking in persons",
            "penelantaran": "Neglect",
            "lainnya": "Other",
        },
        "age_group": {
            "0-5": "0-5 years",
            "6-12": "6-12 years",
            "13-17": "13-17 years",
            "18-24": "18-24 years",
            "25-44": "25-44 years",
            "45-59": "45-59 years",
            "60+": "60 and over",
            "unknown": "Unknown",
        },
    },
}

MONTHS: dict[Language, tuple[str, ...]] = {
    Language.ID: ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    Language.EN: ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def label(language: Language, kind: str, value: str) -> str:
    """The word for ``value`` of ``kind`` (``violence_type``, ``age_group``, ``month``...), or ``value``."""
    if kind == "month":
        return month_label(language, value)
    return VALUE_LABELS[language].get(kind, {}).get(value, value)


def month_label(language: Language, year_month: str) -> str:
    """``"2025-03"`` -> ``"Mar 2025"``."""
    year, _, month = year_month.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return year_month
    return f"{MONTHS[language][int(month) - 1]} {year}"


def number(language: Language, value: float, decimals: int = 0) -> str:
    """``1234.5`` as ``1.234,5`` in Bahasa Indonesia, ``1,234.5`` in English."""
    text = f"{value:,.{decimals}f}"
    if language is Language.ID:
        text = text.translate(str.maketrans(",.", ".,"))
    return text
