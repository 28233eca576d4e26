"""The shared vocabulary of a case, after SIMFONI-PPA, the national recording system."""

from enum import StrEnum


class ViolenceType(StrEnum):
    """Bentuk kekerasan (SIMFONI-PPA)."""

    FISIK = "fisik"
    PSIKIS = "psikis"
    SEKSUAL = "seksual"
    EKSPLOITASI = "eksploitasi"
    PERDAGANGAN_ORANG = "perdagangan_orang"  # TPPO
    PENELANTARAN = "penelantaran"
    LAINNYA = "lainnya"


class Sex(StrEnum):
    PEREMPUAN = "perempuan"
    LAKI_LAKI = "laki_laki"


class AgeGroup(StrEnum):
    """SIMFONI-PPA's age groups."""

    AGE_0_5 = "0-5"
    AGE_6_12 = "6-12"
    AGE_13_17 = "13-17"
    AGE_18_24 = "18-24"
    AGE_25_44 = "25-44"
    AGE_45_59 = "45-59"
    AGE_60_PLUS = "60+"
    UNKNOWN = "unknown"

    @classmethod
    def of_age(cls, age: int | None) -> "AgeGroup":
        if age is None:
            return cls.UNKNOWN
        for upper, group in ((5, cls.AGE_0_5), (12, cls.AGE_6_12), (17, cls.AGE_13_17), (24, cls.AGE_18_24),
                             (44, cls.AGE_25_44), (59, cls.AGE_45_59)):
            if age <= upper:
                return group
        return cls.AGE_60_PLUS

    @property
    def is_child(self) -> bool:
        return self in {AgeGroup.AGE_0_5, AgeGroup.AGE_6_12, AgeGroup.AGE_13_17}


class Channel(StrEnum):
    """Where a report came in."""

    HOTLINE = "hotline"
    WEB = "web"
    WHATSAPP = "whatsapp"
    SMS = "sms"
    WALK_IN = "walk_in"
    POLICE = "police"
    SCHOOL = "school"
    HEALTH = "health"
    COMMUNITY = "community"


class PlaceCategory(StrEnum):
    """Tempat kejadian (SIMFONI-PPA)."""

    RUMAH_TANGGA = "rumah_tangga"
    FASILITAS_UMUM = "fasilitas_umum"
    SEKOLAH = "sekolah"
    TEMPAT_KERJA = "tempat_kerja"
    DARING = "daring"  # online
    LAINNYA = "lainnya"


class Relationship(StrEnum):
    """Hubungan pelaku dengan korban (SIMFONI-PPA)."""

    SUAMI_ISTRI = "suami_istri"
    PACAR_TEMAN = "pacar_teman"
    ORANG_TUA = "orang_tua"
    TETANGGA = "tetangga"
    KELUARGA_SAUDARA = "keluarga_saudara"
    GURU = "guru"
    REKAN_KERJA = "rekan_kerja"
    MAJIKAN = "majikan"
    LAINNYA = "lainnya"
    TIDAK_DIKETAHUI = "tidak_diketahui"


class Need(StrEnum):
    """Kebutuhan layanan korban (SIMFONI-PPA); also the services an agency provides."""

    PENGADUAN = "pengaduan"
    KESEHATAN = "kesehatan"
    BANTUAN_HUKUM = "bantuan_hukum"
    PENEGAKAN_HUKUM = "penegakan_hukum"
    REHABILITASI_SOSIAL = "rehabilitasi_sosial"
    REINTEGRASI_SOSIAL = "reintegrasi_sosial"
    PEMULANGAN = "pemulangan"
    PENDAMPINGAN_TOKOH_AGAMA = "pendampingan_tokoh_agama"
    PENAMPUNGAN_SEMENTARA = "penampungan_sementara"
    MEDIASI = "mediasi"


class EducationLevel(StrEnum):
    """Pendidikan korban (SIMFONI-PPA)."""

    BELUM_SEKOLAH = "belum_sekolah"
    TIDAK_SEKOLAH = "tidak_sekolah"
    SD = "sd"
    SLTP = "sltp"
    SLTA = "slta"
    PERGURUAN_TINGGI = "perguruan_tinggi"
    TIDAK_DIKETAHUI = "tidak_diketahui"


class Nationality(StrEnum):
    """Kewarganegaraan: Indonesian citizen or foreign national."""

    WNI = "wni"
    WNA = "wna"


class AgencyType(StrEnum):
    """The kinds of agency a case can be referred to; also what a victim consents to share with."""

    UPTD_PPA = "uptd_ppa"  # Unit Pelaksana Teknis Daerah Perlindungan Perempuan dan Anak: the case manager
    DINAS_PPA = "dinas_ppa"  # the local government office for women's empowerment and child protection
    POLICE_PPA = "police_ppa"  # Unit PPA of a Polres, or Subdit Renakta of a Polda
    KODIM = "kodim"
    HEALTH = "health"  # Puskesmas, RSUD
    DINAS_SOSIAL = "dinas_sosial"
    DINAS_PENDIDIKAN = "dinas_pendidikan"
    LEGAL_AID = "legal_aid"
    NGO = "ngo"
    COMMUNITY = "community"  # e.g. PATBM, community-based child protection
    NATIONAL_HOTLINE = "national_hotline"  # e.g. SAPA 129


# The agencies that manage a case: they see every case referred to them, whatever else consent allows.
CASE_MANAGERS = frozenset({AgencyType.UPTD_PPA, AgencyType.DINAS_PPA})


class ConsentGiver(StrEnum):
    """Who decided what may be shared: the victim, a guardian (for a child), or nobody yet (a public report)."""

    KORBAN = "korban"
    WALI = "wali"
    BELUM_DITANYAKAN = "belum_ditanyakan"


class ReporterRelation(StrEnum):
    """Hubungan pelapor dengan korban."""

    KORBAN_SENDIRI = "korban_sendiri"
    KELUARGA = "keluarga"
    TETANGGA = "tetangga"
    TEMAN = "teman"
    GURU_SEKOLAH = "guru_sekolah"
    TENAGA_KESEHATAN = "tenaga_kesehatan"
    POLISI = "polisi"
    PERANGKAT_RT_RW = "perangkat_rt_rw"  # RT/RW head, Dasa Wisma
    PENDAMPING = "pendamping"  # social worker, NGO
    LAINNYA = "lainnya"


class Priority(StrEnum):
    """Triage: P1 immediate danger, P2 urgent, P3 standard."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class TriageReason(StrEnum):
    """Why triage gave a report its priority."""

    ONGOING_DANGER = "ongoing_danger"
    TRAFFICKING = "trafficking"
    CHILD_SEXUAL_VIOLENCE = "child_sexual_violence"
    INJURIES = "injuries"
    CHILD_VICTIM = "child_victim"
    SEXUAL_VIOLENCE = "sexual_violence"
    CHILD_IN_CONFLICT_WITH_LAW = "child_in_conflict_with_law"
    NO_URGENT_FACTOR = "no_urgent_factor"


class LinkReason(StrEnum):
    """Why two reports are thought to be about the same incident."""

    SAME_VICTIM = "same_victim"
    SAME_CONTACT = "same_contact"
    SAME_PLACE_AND_TIME = "same_place_and_time"
