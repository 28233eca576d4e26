"""The words of the operator's pages for the SIMFONI record's codes (gettext message ids, marked for Babel)."""

from __future__ import annotations

from collections.abc import Callable

from workspace.entrypoints.labels import N_

CHANNELS = {
    "hotline": N_("Phone (hotline)"), "walk_in": N_("Walk-in"), "police": N_("From the police"),
    "school": N_("From a school"), "health": N_("From a health service"), "community": N_("From the community"),
    "whatsapp": N_("WhatsApp"), "sms": N_("SMS"), "web": N_("Public web form"),
}
PRECISION = {"day": N_("On this day"), "month": N_("In this month"), "year": N_("In this year"),
             "unknown": N_("Not known")}
PLACES = {
    "rumah_tangga": N_("Household"), "fasilitas_umum": N_("Public place"), "sekolah": N_("School"),
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
    "choose_one": N_("Choose one of the options."),
}
# The form's fields as its summary of errors names them (a victim's or perpetrator's: "Victim 2: Age").
FIELDS = {
    "channel": N_("How the report reached you"), "incident_date": N_("Date of the incident"),
    "incident_precision": N_("How precise is the date"), "province_code": N_("Province"),
    "regency_code": N_("Regency or city"), "district_code": N_("Kecamatan (district)"),
    "village_code": N_("Desa or kelurahan (village)"), "place": N_("Kind of place"),
    "address": N_("Address (optional)"), "violence_types": N_("Kinds of violence"),
    "child_in_conflict_with_law": N_("The perpetrator is a child (ABH)"), "narrative": N_("What the caller told"),
    "needs": N_("What the victim needs"), "consent_given_by": N_("Consent to share the case was given by"),
    "consent_agency_types": N_("Besides the case manager, the case may be shared with"),
    "reporter_anonymous": N_("The reporter stays anonymous (no name, no contact)"),
    "reporter_relation": N_("Relation to the victim"), "reporter_name": N_("Name (optional)"),
    "reporter_phone": N_("Phone number"), "reporter_email": N_("Email (optional)"),
    "link_to": N_("Possible duplicates"), "priority": N_("New priority"), "reason": N_("Why"),
}
PERSON_FIELDS = {
    "name": N_("Name (optional)"), "sex": N_("Sex"), "age": N_("Age in years (optional)"),
    "birth_date": N_("Date of birth (optional)"), "has_disability": N_("Disability"), "education": N_("Education"),
    "nationality": N_("Nationality"), "relationship": N_("Relationship to the victim"),
}
PEOPLE = {"victim": N_("Victim %(n)s"), "perpetrator": N_("Perpetrator %(n)s")}


def field_label(field: str, translate: Callable[[str], str]) -> str:
    """The field's name on the page, in its language (``translate``: the page's gettext)."""
    group, _, rest = field.partition("-")
    index, _, leaf = rest.partition("-")
    if group in PEOPLE and index.isdigit() and leaf in PERSON_FIELDS:
        return f"{translate(PEOPLE[group]) % {'n': int(index) + 1}}: {translate(PERSON_FIELDS[leaf])}"
    return translate(FIELDS[field]) if field in FIELDS else ""
DONE = {"saved": N_("The report was saved."), "saved_linked": N_("The report was saved, linked to the earlier one."),
        "raised": N_("The priority was raised.")}
STAFF_CHANNELS = {code: CHANNELS[code] for code in ("hotline", "walk_in", "police", "school", "health", "community")}
DISABILITY = {"yes": N_("Yes"), "no": N_("No")}
