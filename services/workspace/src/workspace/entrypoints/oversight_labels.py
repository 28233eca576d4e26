"""The words of the auditor's and the province admin's pages (gettext message ids, marked for Babel)."""

from __future__ import annotations

from workspace.entrypoints.labels import N_

FIELD_ERRORS = {
    "case_query_missing": N_("Enter the case number or the case id."),
    "case_query_too_long": N_("A case number or id is 64 characters or fewer."),
    "case_not_found": N_("No case of your province has this number or id."),
    "agency_missing": N_("Select the agency to be notified."),
    "channel_missing": N_("Select how the agency is notified."),
    "target_missing": N_("Enter where the notifications go."),
    "target_too_long": N_("The address must be 2048 characters or fewer."),
    "target_url": N_("Enter the webhook's address starting with https://, for example https://ppa.example/hook."),
    "target_email": N_("Enter an email address, for example ppa@example.go.id."),
    "target_phone": N_("Enter the phone number with its country code, for example +6281234567890."),
    "event_types_missing": N_("Select at least one event."),
    "event_types_unknown": N_("Select events from the list."),
    "language_missing": N_("Select the language of the notifications."),
    "date_from_invalid": N_("Enter the first day as day/month/year, for example 01/01/2026."),
    "date_to_invalid": N_("Enter the last day as day/month/year, for example 31/12/2026."),
    "date_to_before_from": N_("The last day must be on or after the first day."),
    "regency_outside": N_("Select a regency of your province, or the whole province."),
    "format_missing": N_("Select CSV or XLSX."),
}
DONE = {
    "subscription_created": N_("The subscription was created."),
    "subscription_paused": N_("The subscription is paused: nothing is sent until it is resumed."),
    "subscription_resumed": N_("The subscription is resumed: what waited meanwhile is sent now."),
    "subscription_deleted": N_("The subscription was deleted."),
    "secret_rotated": N_("A new secret was made. The old one keeps working for 24 hours."),
}
CHANNELS = {"webhook": N_("Webhook"), "email": N_("Email"), "sms": N_("SMS"), "whatsapp": N_("WhatsApp")}
TARGET_HINTS = {
    "webhook": N_("Webhook: the https:// address of the agency's system."),
    "email": N_("Email: the agency's address."),
    "sms": N_("SMS or WhatsApp: the number with its country code, for example +6281234567890."),
}
NOTIFY_LANGUAGES = {"id": N_("Bahasa Indonesia"), "en": N_("English")}
DELIVERY_STATUS = {"pending": N_("Waiting to be sent"), "delivered": N_("Delivered"), "dead": N_("Failed")}
CHAIN_PROBLEMS = {
    "altered": N_("Record %(seq)s was altered after it was recorded."),
    "removed": N_("Record %(seq)s is missing: it was removed."),
    "added": N_("Record %(seq)s was added after the end of the chain."),
    "head missing": N_("The end of the chain is missing (after record %(seq)s)."),
}
FORMATS = {"xlsx": N_("XLSX (Excel workbook, with a recap sheet)"), "csv": N_("CSV (comma-separated text)")}
