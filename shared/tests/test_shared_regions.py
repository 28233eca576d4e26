from collections import Counter

import pytest

from shared.regions.catalogue import (
    Region,
    RegionCatalogue,
    RegionKind,
    district_belongs_to,
    load_regions,
    village_belongs_to,
)


@pytest.fixture(scope="module")
def regions() -> RegionCatalogue:
    return load_regions()


def test_the_catalogue_has_the_38_provinces_and_514_regencies_of_the_2025_decree(regions: RegionCatalogue) -> None:
    kinds = Counter(region.kind for region in (*regions.provinces(), *_all_regencies(regions)))
    assert kinds == {RegionKind.PROVINCE: 38, RegionKind.REGENCY: 416, RegionKind.CITY: 98}
    assert len(regions) == 38 + 514
    assert "300.2.2-2138 Tahun 2025" in regions.source


def test_it_is_loaded_once(regions: RegionCatalogue) -> None:
    assert load_regions() is regions


@pytest.mark.parametrize(
    ("code", "name", "kind", "province"),
    [
        ("62.03", "Kabupaten Kapuas", RegionKind.REGENCY, "Kalimantan Tengah"),
        ("62.13", "Kabupaten Barito Timur", RegionKind.REGENCY, "Kalimantan Tengah"),
        ("31.71", "Kota Administrasi Jakarta Pusat", RegionKind.CITY, "Daerah Khusus Ibukota Jakarta"),
        ("73.71", "Kota Makassar", RegionKind.CITY, "Sulawesi Selatan"),
        ("64.74", "Kota Bontang", RegionKind.CITY, "Kalimantan Timur"),
        ("93.01", "Kabupaten Merauke", RegionKind.REGENCY, "Papua Selatan"),
        ("94.04", "Kabupaten Mimika", RegionKind.REGENCY, "Papua Tengah"),
        ("95.01", "Kabupaten Jayawijaya", RegionKind.REGENCY, "Papua Pegunungan"),
        ("96.71", "Kota Sorong", RegionKind.CITY, "Papua Barat Daya"),
    ],
)
def test_spot_checks(regions: RegionCatalogue, code: str, name: str, kind: RegionKind, province: str) -> None:
    region = regions.get(code)
    assert region == Region(code=code, name=name, kind=kind)
    assert regions.is_regency(code)
    assert not regions.is_province(code)
    found = regions.province_of(code)
    assert found is not None
    assert found.name == province
    assert found.code == code[:2] == region.province_code


def test_the_new_papua_provinces_are_there(regions: RegionCatalogue) -> None:
    names = {region.code: region.name for region in regions.provinces()}
    assert {code: names[code] for code in ("91", "92", "93", "94", "95", "96")} == {
        "91": "Papua",
        "92": "Papua Barat",
        "93": "Papua Selatan",
        "94": "Papua Tengah",
        "95": "Papua Pegunungan",
        "96": "Papua Barat Daya",
    }
    # Sorong moved from Papua Barat (92) to Papua Barat Daya (96)
    assert regions.get("92.71") is None


def test_every_regency_lies_in_a_known_province_and_its_kind_follows_its_code(regions: RegionCatalogue) -> None:
    for regency in _all_regencies(regions):
        assert regions.is_province(regency.province_code)
        number = int(regency.code[3:])
        if regency.kind is RegionKind.CITY:
            assert 71 <= number <= 99, regency
            assert regency.name.startswith("Kota "), regency
        else:
            assert 1 <= number <= 69, regency
            assert regency.name.startswith("Kabupaten "), regency


def test_every_province_has_regencies_sorted_by_code(regions: RegionCatalogue) -> None:
    for province in regions.provinces():
        children = regions.regencies_of(province.code)
        assert children, province
        assert [r.code for r in children] == sorted(r.code for r in children)
        assert all(r.province_code == province.code for r in children)
    assert [p.code for p in regions.provinces()] == sorted(p.code for p in regions.provinces())
    assert len(regions.regencies_of("62")) == 14


def test_provinces_are_provinces_not_regencies(regions: RegionCatalogue) -> None:
    aceh = regions.get("11")
    assert aceh == Region(code="11", name="Aceh", kind=RegionKind.PROVINCE)
    assert aceh.province_code == "11"
    assert regions.is_province("11")
    assert not regions.is_regency("11")
    assert regions.province_of("11") is None


@pytest.mark.parametrize("code", ["", "00", "20", "99", "62.00", "62.99", "6213", "62.13.01", " 62.13", "62.13\n"])
def test_unknown_codes_are_none(regions: RegionCatalogue, code: str) -> None:
    assert regions.get(code) is None
    assert regions.province_of(code) is None
    assert not regions.is_province(code)
    assert not regions.is_regency(code)
    assert regions.regencies_of(code) == ()


@pytest.mark.parametrize(
    ("district", "regency", "belongs"),
    [
        ("62.13.01", "62.13", True),
        ("31.71.03", "31.71", True),
        ("62.13.01", "62.03", False),
        ("62.03.01", "62.13", False),
        ("62.13", "62.13", False),
        ("62.13.1", "62.13", False),
        ("62.13.001", "62.13", False),
        ("62.13.01.2001", "62.13", False),
        ("62.13.01\n", "62.13", False),
        ("62.13.01", "62", False),
        ("62.13.01", "62.13.", False),
        ("\u0666\u0662.13.01", "\u0666\u0662.13", False),  # Arabic-Indic digits are not digits here
    ],
)
def test_district_belongs_to(district: str, regency: str, belongs: bool) -> None:
    assert district_belongs_to(district, regency) is belongs


@pytest.mark.parametrize(
    ("village", "district", "belongs"),
    [
        ("62.13.01.2001", "62.13.01", True),
        ("31.71.03.1001", "31.71.03", True),
        ("62.13.01.2001", "62.13.02", False),
        ("62.13.02.2001", "62.13.01", False),
        ("62.13.01.201", "62.13.01", False),
        ("62.13.01.20011", "62.13.01", False),
        ("62.13.01", "62.13.01", False),
        ("62.13.01.2001", "62.13", False),
        ("62.13.01.2001\n", "62.13.01", False),
    ],
)
def test_village_belongs_to(village: str, district: str, belongs: bool) -> None:
    assert village_belongs_to(village, district) is belongs


def test_a_catalogue_rejects_a_regency_without_its_province() -> None:
    with pytest.raises(ValueError, match="no province 62"):
        RegionCatalogue([Region("62.13", "Kabupaten Barito Timur", RegionKind.REGENCY)], source="test")


def test_a_catalogue_rejects_duplicate_and_malformed_codes() -> None:
    kalteng = Region("62", "Kalimantan Tengah", RegionKind.PROVINCE)
    with pytest.raises(ValueError, match="twice"):
        RegionCatalogue([kalteng, kalteng], source="test")
    with pytest.raises(ValueError, match="not a province code"):
        RegionCatalogue([Region("62.13", "Kalimantan Tengah", RegionKind.PROVINCE)], source="test")
    with pytest.raises(ValueError, match="not a city code"):
        RegionCatalogue([kalteng, Region("6271", "Kota Palangkaraya", RegionKind.CITY)], source="test")


def _all_regencies(regions: RegionCatalogue) -> list[Region]:
    return [regency for province in regions.provinces() for regency in regions.regencies_of(province.code)]
