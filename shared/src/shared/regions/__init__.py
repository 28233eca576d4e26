"""Indonesia's administrative regions by their Kemendagri codes, province to village (``catalogue``), shared so that
intake checks a report's place, routing an agency's service area and reporting a row's name against one list."""

from shared.regions.catalogue import (
    PROVINCE_CODE,
    Region,
    RegionCatalogue,
    RegionKind,
    district_belongs_to,
    load_regions,
    village_belongs_to,
)
from shared.regions.subregions import DISTRICT_CODE, REGENCY_CODE, VILLAGE_CODE

__all__ = [
    "DISTRICT_CODE", "PROVINCE_CODE", "REGENCY_CODE", "VILLAGE_CODE", "Region", "RegionCatalogue", "RegionKind",
    "district_belongs_to", "load_regions", "village_belongs_to",
]
