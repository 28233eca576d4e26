"""The words of the province admin's pages for codes (gettext message ids, marked with ``N_``)."""

from __future__ import annotations

from workspace.entrypoints.labels import N_

AGENCY_TYPES = {
    "uptd_ppa": N_("UPTD PPA"), "dinas_ppa": N_("Dinas PPA"), "police_ppa": N_("Police PPA unit"),
    "kodim": N_("Kodim"), "health": N_("Health facility (RSUD, Puskesmas)"), "dinas_sosial": N_("Dinas Sosial"),
    "dinas_pendidikan": N_("Dinas Pendidikan"), "legal_aid": N_("Legal aid provider"), "ngo": N_("NGO"),
    "community": N_("Community service (Satgas PPA, PATBM, PUSPAGA)"), "national_hotline": N_("National hotline"),
}
LEVELS = {"regency": N_("A regency or city, or a kecamatan or desa of it"), "province": N_("The whole province")}
WEEKDAYS = {"mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
            "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday")}
FIELD_ERRORS = {
    "agency_id_invalid": N_("Enter an id of lowercase letters, digits, dots and hyphens, for example "
                            "puskesmas-awang."),
    "agency_exists": N_("An agency with this id is already in the directory: choose another id."),
    "agency_name_missing": N_("Enter the agency's name."),
    "agency_type_missing": N_("Select the kind of agency."),
    "agency_level_missing": N_("Select the area the agency serves."),
    "agency_regency_missing": N_("Select the regency or city."),
    "hours_invalid": N_("Enter opening hours as 07:30-16:00, several separated by commas."),
    "hours_both": N_("Either always open or opening hours per day, not both."),
    "services_unknown": N_("Select services from the list."),
    "rules_missing": N_("Enter the rules."),
    "rules_invalid": N_("The rules are not valid."),
    "sample_regency_missing": N_("Select the regency or city of the sample case."),
}
DONE = {
    "agency_saved": N_("The agency is saved in the directory."),
    "agency_deactivated": N_("The agency is out of service. Its referrals keep its name."),
    "rules_saved": N_("The rules are saved and in force for the province's next case."),
}
REFUSED = {
    409: N_("Not saved: %(reason)s"),
    403: N_("Your role may not make this change. Nothing was changed."),
}
