"""The words of the operator's pages for the SIMFONI record's codes (gettext message ids, marked for Babel)."""

from __future__ import annotations

from workspace.entrypoints.labels import N_

CHANNELS = {
    "hotline": N_("Phone (hotline)"), "walk_in": N_("Walk-in"), "police": N_("From the police"),
    "school": N_("From a school"), "health": N_("From a health service"), "community": N_("From the community"),
    "whatsapp": N_("WhatsApp"), "sms": N_("SMS"), "web": N_("Public web form"),
}
PRECISION = {"day": N_("On this day"), "month": N_("In this month"), "year": N_("In this year"),
             "unknown": N_("Not known")}
PLACES = {
    "rumah_tangga": N_("Home"), "fasilitas_umum": N_("Public place"), "sekolah": N_("School"),
    "tempat_kerja": N_("Workplace"), "daring": N_("Online"), "lainnya": N_("Other place"),
}
SEX = {"perempuan": N_("Female"), "laki_laki": N_("Male")}
EDUCATION = {
    "tidak_diketahui": N_("Not known"), "belum_sekolah": N_("Not yet in school"),
    "tidak_sekolah": N_("Not in school"), "sd": N_("Primary school (SD)"), "sltp": N_("Junior high (SLTP)"),
    "slta": N_("Senior high (SLTA)"), "perguruan_tinggi": N_("Higher education"),
}
NATIONALITY = {"wni": N_("Indonesian (WNI)"), "wna": N_("Foreign (WNA)")}
RELATIONSHIP = {
    "tidak_diketahui": N_("Not known"), "suami_istri": N_("Husband or wife"),
    "pacar_teman": N_("Boyfriend, girlfriend or friend"), "orang_tua": N_("Parent"), "tetangga": N_("Neighbour"),
    "keluarga_saudara": N_("Family member"), "guru": N_("Teacher"), "rekan_kerja": N_("Colleague"),
    "majikan": N_("Employer"), "lainnya": N_("Other"),
}
REPORTER_RELATION = {
    "korban_sendiri": N_("The victim themself"), "keluarga": N_("Family"), "tetangga": N_("Neighbour"),
    "teman": N_("Friend"), "guru_sekolah": N_("Teacher or school"), "tenaga_kesehatan": N_("Health worker"),
    "polisi": N_("Police"), "perangkat_rt_rw": N_("RT/RW head"), "pendamping": N_("Social worker or NGO"),
    "lainnya": N_("Other"),
}
CONSENT_GIVER = {"korban": N_("The victim"), "wali": N_("A parent or guardian"),
                 "belum_ditanyakan": N_("Not asked yet")}
AGENCY_TYPES = {
    "police_ppa": N_("Police (PPA unit)"), "health": N_("Health services"), "dinas_sosial": N_("Social services"),
    "dinas_pendidikan": N_("Education office"), "legal_aid": N_("Legal aid"), "ngo": N_("NGOs"),
    "community": N_("Community child protection"), "kodim": N_("Military district (Kodim)"),
}
TRIAGE_REASONS = {
    "ongoing_danger": N_("The victim is still in danger."), "trafficking": N_("Trafficking."),
    "child_sexual_violence": N_("Sexual violence against a child."), "injuries": N_("The victim is injured."),
    "child_victim": N_("The victim is a child."), "sexual_violence": N_("Sexual violence."),
    "child_in_conflict_with_law": N_("A child in conflict with the law."),
    "no_urgent_factor": N_("No urgent factor was reported."),
}
LINK_REASONS = {"same_victim": N_("same victim"), "same_contact": N_("same reporter's contact"),
                "same_place_and_time": N_("same place, within three days")}
CASE_STATUS = {"open": N_("Open"), "closed": N_("Closed")}
FORM_ERRORS = {
    "date_invalid": N_("Enter the date as day/month/year, for example 31/12/2026."),
    "age_invalid": N_("Enter the age in whole years, for example 12."),
    "reason_missing": N_("Write why the priority is raised."),
    "priority_missing": N_("Choose the new priority."),
    "link_invalid": N_("Choose one of the possible duplicates shown, or none."),
}
DONE = {"saved": N_("The report was saved."), "saved_linked": N_("The report was saved, linked to the earlier one."),
        "raised": N_("The priority was raised.")}
STAFF_CHANNELS = {code: CHANNELS[code] for code in ("hotline", "walk_in", "police", "school", "health", "community")}
DISABILITY = {"yes": N_("Yes"), "no": N_("No")}
