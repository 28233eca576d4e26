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
