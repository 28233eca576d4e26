import gzip
import hashlib
import subprocess
import sys
import tracemalloc
from importlib.resources import files

import pytest

from shared.regions.catalogue import RegionCatalogue, load_regions
from shared.regions.subregions import DISTRICTS, VILLAGES, Level, district_codes, read_codes, village_codes


@pytest.fixture(scope="module")
def regions() -> RegionCatalogue:
    return load_regions()


def shipped(level: Level) -> tuple[dict[str, str], bytes]:
    """A shipped file's header, as {key: value}, and the lines after it."""
    raw = gzip.decompress((files("shared.regions") / level.resource).read_bytes())
    header: dict[str, str] = {}
    lines = raw.splitlines(keepends=True)
    while lines[0].startswith(b"#"):
        key, _, value = lines.pop(0).decode().removeprefix("# ").partition(":")
        header[key] = value.strip()
    return header, b"".join(lines)


def test_the_catalogue_has_the_7285_districts_and_83762_villages_of_the_2025_decree(regions: RegionCatalogue) -> None:
    assert len(district_codes()) == 7285
    assert len(village_codes()) == 83762
    assert "300.2.2-2138 Tahun 2025" in district_codes().source == village_codes().source
    assert shipped(DISTRICTS)[0]["counts"] == "7285 districts (kecamatan)"
    assert shipped(VILLAGES)[0]["counts"] == "83762 villages (desa/kelurahan)"


@pytest.mark.parametrize("level", [DISTRICTS, VILLAGES])
def test_each_file_records_its_origin_and_its_lines_match_the_recorded_sha256(level: Level) -> None:
    header, body = shipped(level)
    assert hashlib.sha256(body).hexdigest() == header["sha256"]
    assert header["decree"].startswith("Keputusan Menteri Dalam Negeri Nomor 300.2.2-2138 Tahun 2025")
    name = level.resource.removesuffix(".gz")
    assert header["taken-from"].startswith("npm package idn-area-data@4.0.1 ")
    assert header["taken-from"].endswith(f"file data/{name}")
    assert "shasum 371e5cee3d85ad2bd081eb333da25b06551e4ad1" in header["taken-from"]
    assert header["repository"].startswith("https://github.com/fityannugroho/idn-area-data ")
    assert header["data-license"].startswith("Open Database License (ODbL) 1.0")


def test_a_file_whose_lines_do_not_match_its_sha256_is_refused() -> None:
    packed = (files("shared.regions") / DISTRICTS.resource).read_bytes()
    tampered = gzip.decompress(packed).replace(b"62.13.01,62.13,Dusun Timur", b"62.13.01,62.13,Dusun Barat")
    assert read_codes(DISTRICTS, packed) is not None
    with pytest.raises(ValueError, match="sha256"):
        read_codes(DISTRICTS, gzip.compress(tampered))


def test_every_district_lies_in_a_known_regency_and_every_regency_has_districts(regions: RegionCatalogue) -> None:
    regencies = [r.code for province in regions.provinces() for r in regions.regencies_of(province.code)]
    found = [district for regency in regencies for district in regions.districts_of(regency)]
    # every district is under one of the regencies: none is left over
    assert len(found) == len(set(found)) == len(district_codes())
    assert all(regions.districts_of(regency) for regency in regencies)
    assert all(regions.is_district(district) for district in found)


def test_every_village_lies_in_a_known_district(regions: RegionCatalogue) -> None:
    regencies = [r.code for province in regions.provinces() for r in regions.regencies_of(province.code)]
    districts = [district for regency in regencies for district in regions.districts_of(regency)]
    found = [village for district in districts for village in regions.villages_of(district)]
    assert len(found) == len(set(found)) == len(village_codes())
    assert all(regions.is_village(village) for village in found)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("62.13.01", "Dusun Timur"),
        ("11.01.01", "Bakongan"),
        ("62.13.01.2003", "Pulau Patai"),
        ("62.13.01.1012", "Tamiang Layang"),
        ("12.07.28.1007", "Lubuk Pakam I,II"),  # quoted in the CSV
        ("53.07.01.2021", "Regapu\u2019u"),  # not ASCII
    ],
)
def test_spot_checks(regions: RegionCatalogue, code: str, name: str) -> None:
    if len(code) == 8:
        assert regions.is_district(code)
        assert not regions.is_village(code)
        assert regions.district_name(code) == name
        assert code in regions.districts_of(code[:5])
    else:
        assert regions.is_village(code)
        assert not regions.is_district(code)
        assert regions.village_name(code) == name
        assert code in regions.villages_of(code[:8])


def test_a_regency_and_a_district_list_their_children_by_code(regions: RegionCatalogue) -> None:
    assert regions.districts_of("62.13") == tuple(f"62.13.{n:02d}" for n in range(1, 11))
    assert regions.villages_of("62.13.01")[:3] == ("62.13.01.1012", "62.13.01.2003", "62.13.01.2004")


@pytest.mark.parametrize(
    "code", ["", "62.13.01.2001", "62.13.11", "62.14.01", "6213012003", "62.13.01.2003\n", " 62.13.01", "62.13",
             "\u0666\u0662.13.01", "62.13.01.20030"],
)
def test_unknown_codes_are_neither_district_nor_village(regions: RegionCatalogue, code: str) -> None:
    assert not regions.is_district(code)
    assert not regions.is_village(code)
    assert regions.district_name(code) is None
    assert regions.village_name(code) is None
    assert regions.villages_of(code) == ()


@pytest.mark.parametrize("parent", ["", "62", "62.1", "6213", "62.13.", "62.13.0", "99.99", "62.13\n"])
def test_malformed_or_unknown_parents_have_no_children(regions: RegionCatalogue, parent: str) -> None:
    assert regions.districts_of(parent) == ()
    assert regions.villages_of(parent) == ()


def test_the_codes_stay_small_in_memory() -> None:
    """P5 caps a service's memory: the codes of both levels take under 1 MB (eight bytes a code)."""
    tracemalloc.start()
    try:
        kept = (read_codes(DISTRICTS), read_codes(VILLAGES))
        _, peak = tracemalloc.get_traced_memory()  # the whole process's: other threads' allocations count too
    finally:
        tracemalloc.stop()
    assert len(kept[1]) == 83762
    assert sum(sys.getsizeof(codes._codes) for codes in kept) < 1_000_000  # what stays, measured on itself
    assert peak < 2_500_000  # streamed: a copy of the 2.8 MB file held while reading would pass this


def test_districts_and_villages_are_not_read_until_asked() -> None:
    script = (
        "from shared.regions.catalogue import load_regions; from shared.regions import subregions as s\n"
        "r = load_regions(); r.is_regency('62.13')\n"
        "print(s.district_codes.cache_info().currsize, s.village_codes.cache_info().currsize)\n"
        "r.is_district('62.13.01')\n"
        "print(s.district_codes.cache_info().currsize, s.village_names.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["0 0", "1 0"]
