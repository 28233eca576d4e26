"""Subscriptions: who is told of which events, through which channel, in which language.

Two kinds of subscriber:
- an agency, about the cases referred to it (``Scope.AGENCY``);
- a supervisor, about every case of their region (``Scope.REGION``: a district supervisor their regency, a
  province admin their province), with aggregate payloads that hold nothing about the people in the case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from shared.contracts.vocabulary import Priority
from shared.validation_messages import LocalizedValueError


class Channel(StrEnum):
    WEBHOOK = "webhook"  # a signed POST to the agency's system
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"


class Scope(StrEnum):
    AGENCY = "agency"  # the cases referred to the agency
    REGION = "region"  # every case of a supervisor's region, aggregate fields only


class Language(StrEnum):
    INDONESIAN = "id"
    ENGLISH = "en"


# What an agency and a region's supervisor can both be told about a case. Each is described in
# `EVENT_TYPE_DESCRIPTIONS`.
_SHARED_EVENT_TYPES: tuple[str, ...] = (
    "referral.created",
    "referral.accepted",
    "referral.declined",
    "referral.service_started",
    "referral.completed",
    "referral.revoked",
    "referral.sla_breached",
    "case.updated",
    "case.linked",
    "case.closed",
    "case.reopened",
    "case.services_completed",
)
# An agency also hears when a follow-up it set itself falls due: its own working item, no supervisor's.
AGENCY_ONLY_EVENT_TYPES: tuple[str, ...] = ("referral.follow_up_due",)
AGENCY_EVENT_TYPES: tuple[str, ...] = (*_SHARED_EVENT_TYPES, *AGENCY_ONLY_EVENT_TYPES)
# A supervisor also hears of each new case of the region.
REGION_EVENT_TYPES: tuple[str, ...] = ("case.reported", *_SHARED_EVENT_TYPES)
EVENT_TYPES: tuple[str, ...] = ("case.reported", *AGENCY_EVENT_TYPES)

EVENT_TYPE_DESCRIPTIONS: dict[str, str] = {
    "case.reported": "A new case was reported in the region (region subscriptions only).",
    "referral.created": "A case was referred to the agency (or, for a region, to an agency of the region).",
    "referral.accepted": "The agency accepted the referral.",
    "referral.declined": "The agency declined the referral; routing refers the case on.",
    "referral.service_started": "The agency started its service.",
    "referral.completed": "The agency completed its service.",
    "referral.revoked": "The referral was withdrawn.",
    "referral.sla_breached": "A referral was not accepted, or its service not started, in time.",
    "referral.follow_up_due": "A follow-up the agency set on its referral fell due and is not done (agency "
    "subscriptions only).",
    "case.updated": "Information was added to the case or corrected.",
    "case.linked": "The case looks like one already held (same victim, contact, or place and time).",
    "case.closed": "The case was closed.",
    "case.reopened": "A closed case was opened again; routing refers it again, the case manager first.",
    "case.services_completed": "Every agency referred the case has finished.",
}

_T = TypeVar("_T")
MIN_SECRET_LENGTH = 16
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_A_URL_EN, _NOT_A_URL_ID = "Not a valid URL.", "Bukan URL yang valid."
_REGION_CODE = re.compile(r"^[0-9]{2}(\.[0-9]{2})?$")


class InvalidSubscriptionError(LocalizedValueError):
    """A subscription that cannot be: ``field`` names the offending field, ``en`` and ``id`` say why in each
    language (never quoting the value, which may be a phone number or an address)."""

    def __init__(self, field: str, *, en: str, id: str) -> None:
        super().__init__(f"subscription_{field}", en=en, id=id, field=field)
        self.reason = en


@dataclass(frozen=True)
class Filters:
    """Optional narrowing: only cases of these regions (province ``62`` or regency ``62.13`` codes) and of these
    priorities. Empty means no narrowing."""

    regions: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()

    def admits(self, province_code: str, regency_code: str, priority: Priority) -> bool:
        in_region = not self.regions or province_code in self.regions or regency_code in self.regions
        return in_region and (not self.priorities or priority in self.priorities)


@dataclass(frozen=True)
class Subscription:
    subscription_id: UUID
    scope: Scope
    # The agency told (Scope.AGENCY), or None for a region's supervisors.
    agency_id: str | None
    # The region the subscription may cover at most: a province admin's province or a district supervisor's
    # regency (Scope.REGION, or an agency subscription a province admin made), None for an agency's own.
    region_code: str | None
    event_types: tuple[str, ...]
    channel: Channel
    target: str = field(repr=False)  # URL, email address or phone number: never logged
    language: Language
    filters: Filters
    paused: bool
    created_at: datetime
    updated_at: datetime
    owner: str = ""  # the user id that created it, for the audit trail

    @property
    def province_code(self) -> str | None:
        return None if self.region_code is None else self.region_code[:2]

    def covers(self, province_code: str, regency_code: str) -> bool:
        """Within the region the subscription may cover at all."""
        return self.region_code is None or self.region_code in (province_code, regency_code)

    def wants(self, event_type: str, province_code: str, regency_code: str, priority: Priority) -> bool:
        return (
            event_type in self.event_types
            and self.covers(province_code, regency_code)
            and self.filters.admits(province_code, regency_code, priority)
        )


@dataclass(frozen=True)
class SubscriptionSpec:
    """The changeable part of a subscription, validated: what a create or an update asks for."""

    event_types: tuple[str, ...]
    channel: Channel
    target: str = field(repr=False)
    language: Language = Language.INDONESIAN
    filters: Filters = Filters()

    def validated(self, scope: Scope, region_code: str | None) -> SubscriptionSpec:
        allowed = REGION_EVENT_TYPES if scope is Scope.REGION else AGENCY_EVENT_TYPES
        if not self.event_types:
            raise InvalidSubscriptionError("event_types", en="At least one event type is required.",
                                           id="Pilih setidaknya satu jenis peristiwa.")
        unknown = sorted(set(self.event_types) - set(allowed))
        if unknown:
            raise InvalidSubscriptionError(
                "event_types", en=f"Not available to {scope.value} subscriptions; available: {', '.join(allowed)}.",
                id=f"Tidak tersedia untuk langganan {scope.value}; yang tersedia: {', '.join(allowed)}.",
            )
        _check_target(self.channel, self.target)
        for code in self.filters.regions:
            if not _REGION_CODE.fullmatch(code):
                raise InvalidSubscriptionError("regions", en="Each must be a province (62) or regency (62.13) code.",
                                               id="Setiap kode harus kode provinsi (62) atau kabupaten/kota (62.13).")
            if region_code is not None and not (code.startswith(region_code) or region_code.startswith(code)):
                raise InvalidSubscriptionError("regions", en=f"Must lie within {region_code}.",
                                               id=f"Harus berada di dalam wilayah {region_code}.")
        # The same type, region or priority twice would mean nothing more; keep first occurrences in order.
        return replace(
            self,
            event_types=_unique(self.event_types),
            filters=Filters(_unique(self.filters.regions), _unique(self.filters.priorities)),
        )


def _check_target(channel: Channel, target: str) -> None:
    if channel is Channel.WEBHOOK:
        try:
            parts = urlsplit(target)
            port = parts.port  # raises on a port out of range
        except ValueError:
            raise InvalidSubscriptionError("target", en=_NOT_A_URL_EN, id=_NOT_A_URL_ID) from None
        if any(character.isspace() for character in target) or port == 0:
            raise InvalidSubscriptionError("target", en=_NOT_A_URL_EN, id=_NOT_A_URL_ID)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise InvalidSubscriptionError("target", en="A webhook needs an http or https URL with a host.",
                                          id="Webhook memerlukan URL http atau https dengan nama host.")
        if parts.username or parts.password:
            raise InvalidSubscriptionError("target", en="Put no credentials in the URL; requests are signed.",
                                          id="Jangan menaruh kredensial di URL; permintaan sudah ditandatangani.")
    elif channel is Channel.EMAIL:
        if not _EMAIL.fullmatch(target) or len(target) > 254:
            raise InvalidSubscriptionError("target", en="An email subscription needs an email address.",
                                          id="Langganan email memerlukan alamat email.")
    elif not _E164.fullmatch(target):
        raise InvalidSubscriptionError(
            "target", en=f"{channel.value} needs a phone number in E.164 form, e.g. +62812...",
            id=f"{channel.value} memerlukan nomor telepon berformat E.164, contoh: +62812...")


def _unique(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def check_secret(secret: str) -> None:
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidSubscriptionError("secret", en=f"Must be at least {MIN_SECRET_LENGTH} characters.",
                                      id=f"Minimal {MIN_SECRET_LENGTH} karakter.")
