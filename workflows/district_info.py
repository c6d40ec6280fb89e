"""Per-동 life information for new residents: loader and validator of ``data/dongs/*.json``.

One file per 동 (format: docs/district-data.md): the 동 주민센터, notes (waste and recycling days,
parking permits, animal registration ...) in Korean and English, and facilities with coordinates.
A file is data a district edits by hand, so the loader checks everything and says exactly what is
wrong and where (file, field path, value) instead of failing later in front of a resident. All
problems of a file are reported at once.

Every name, address and opening hours carries an English form (``name_en``, ``address_en``,
``hours_en``; romanised by the Revised Romanization where no translation exists), so an English
resident reads English. The checks shared with the district profile (workflows/district.py) and the
one-stop contact data (benefits.json, death_agencies.json) are here too: a phone number must be one
a resident can dial (``check_phone``) and no value may be a placeholder ("TODO", "확인 필요",
"☎ 123" where 123 is nobody's number: ``placeholder``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

from workflows.texts import ENGLISH_DATA
from workflows.texts import both

DEFAULT_DIR = Path(__file__).parent / "data" / "dongs"

# Facility kinds and note keys a file may use (the sections in data/new_residents.json refer to them).
KINDS = (
    "library",
    "park",
    "childcare",
    "paediatric",
    "playground",
    "school",
    "senior_welfare",
    "clinic",
    "transport",
    "animal_registration",
    "resident_parking",
)
NOTE_KEYS = (
    "waste",
    "recycling",
    "parking_permit",
    "library",
    "childcare",
    "school",
    "senior",
    "animal_registration",
    "resident_parking",
)
REQUIRED_NOTES = ("waste", "recycling", "parking_permit")
# South Korea's mainland and islands, generously; a point outside is a typo or swapped lat/lon.
LAT_RANGE, LON_RANGE = (33.0, 38.7), (124.5, 131.9)
TEXT_MAX = 1000
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")

# --- phones and placeholders (also used by workflows/district.py and the one-stop loaders) -------
# Real Korean numbers: an area or mobile code and the number (02-450-1711, 031-123-4567,
# 010-1234-5678, 070-1234-5678), or a nationwide representative number (1577-1000, 1588-1234).
_PHONE = re.compile(r"(?:02|0[3-6][1-5]|01[016789]|070|050\d)-\d{3,4}-\d{4}|1[5-9]\d{2}-\d{4}")
# Nationwide short numbers dialled without an area code (국번 없이). A bare short number is
# accepted only for the body it belongs to (the entry's name holds the owner): "123" is 한국전력공사's
# customer centre, and the placeholder it looks like anywhere else.
SPECIAL_NUMBERS = {
    "110": ("정부민원안내콜센터", "국민권익위원회"),
    "120": ("다산콜",),
    "123": ("한국전력",),
    "129": ("보건복지",),
    "1332": ("금융감독원",),
    "1345": ("외국인",),
    "1350": ("고용노동",),
    "1355": ("국민연금",),
}
_PLACEHOLDER = re.compile(
    r"확인\s*필요|추후\s*(?:입력|기재|확인)|(?<![a-z])(?:todo|tbd|tba|fixme|xxx+|lorem|placeholder)(?![a-z])"
    r"|(?<![A-Za-z] )to be (?:confirmed|checked|filled)|\?\?\?|\d-0000(?!\d)|1234-5678",
    re.IGNORECASE,
)


def check_phone(phone: str, owner: str = "") -> str | None:
    """None when `phone` is a number a resident can dial, else what is wrong. `owner`: the name of
    whoever the number belongs to (a special short number must be that body's own)."""
    phone = (phone or "").strip()
    if phone in SPECIAL_NUMBERS:
        if any(word in owner for word in SPECIAL_NUMBERS[phone]):
            return None
        return f"{phone!r} is a nationwide short number of {SPECIAL_NUMBERS[phone][0]}, not of {owner or 'this entry'}"
    if _PHONE.fullmatch(phone):
        if not _PLACEHOLDER.search(phone):
            return None
        return f"{phone!r} looks like a placeholder, not a real number; leave it out if it is not known"
    return (
        f"{phone!r} is not a Korean phone number (e.g. 02-450-1711, 031-123-4567, 1577-1000, or a "
        "body's own short number such as 국민연금공단 1355); leave it out if it is not known"
    )


def is_special_number(phone: str) -> bool:
    """A short number dialled without an area code: shown as such (texts: phone.no_area_code)."""
    return (phone or "").strip() in SPECIAL_NUMBERS


def placeholder(value) -> str | None:
    """The placeholder a text holds ("확인 필요", "TODO", "TBD", "???"), or None."""
    if not isinstance(value, str):
        return None
    m = _PLACEHOLDER.search(value)
    return m.group(0) if m else None


def check_values(raw, path: str, problems: list[str], *, skip=("source",)) -> None:
    """Every text a resident may see, recursively: no placeholder. Keys starting with "_" are
    comments and `skip` keys are for the maintainers (where the data comes from)."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            if not str(key).startswith("_") and key not in skip:
                check_values(value, f"{path}.{key}" if path else str(key), problems, skip=skip)
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            check_values(value, f"{path}[{i}]", problems, skip=skip)
    elif (found := placeholder(raw)) is not None:
        problems.append(
            f"{path}: {found!r} is a placeholder, not something to show a resident "
            f"(write what is known, and say plainly what is not yet known)"
        )


def check_onestop_data(raw: dict, where: str) -> None:
    """The one-stop data a family reads (benefits.json, death_agencies.json): the outside bodies'
    phones must be real (or absent: the screen then says the number is not published), every
    Korean text (``*_ko``) and every legal basis has its English form, and nothing is a
    placeholder. Raises DistrictDataError listing every problem."""
    problems: list[str] = []
    bodies = list((raw.get("bodies") or {}).items()) + [(a.get("code"), a) for a in raw.get("agencies", ())]
    for code, body in bodies:
        if body.get("phone") and (wrong := check_phone(body["phone"], body.get("name_ko", ""))):
            problems.append(f"{code}.phone: {wrong}")
    english_forms(raw, "", problems)
    check_values(raw, "", problems)
    if problems:
        raise DistrictDataError(where, problems)


def english_forms(raw, path: str, problems: list[str]) -> None:
    """Every Korean text (``*_ko``) has its ``*_en``, every ``legal_basis`` its ``legal_basis_en``."""
    if isinstance(raw, list):
        for i, value in enumerate(raw):
            english_forms(value, f"{path}[{i}]", problems)
    if not isinstance(raw, dict):
        return
    label = path + (f" ({raw['code']})" if isinstance(raw.get("code"), str) else "")
    for key, value in raw.items():
        if str(key).startswith("_"):
            continue
        if key.endswith("_ko") and isinstance(value, str) and value and not raw.get(key[:-3] + "_en"):
            problems.append(f"{label}.{key[:-3]}_en: missing (the English form of {key})")
        if key == "legal_basis" and value and not raw.get("legal_basis_en"):
            problems.append(f"{label}.legal_basis_en: missing (the legal basis in English)")
        if key == "legal_basis_en":
            check_english(value, f"{label}.legal_basis_en", problems)
        english_forms(value, f"{label}.{key}" if label else str(key), problems)


def check_english(value: str, path: str, problems: list[str]) -> None:
    """An English form: no Hangul (romanised by the Revised Romanization where there is no
    translation: 자양1동 -> Jayang 1-dong, 뚝섬로 -> Ttukseom-ro)."""
    if value and HANGUL.search(value):
        problems.append(f"{path}: {value!r} is the English form but holds Hangul")


class DistrictDataError(ValueError):
    """A 동 file (or the set of them) is not usable; the message lists every problem found."""

    def __init__(self, where: str, problems: list[str]):
        self.where, self.problems = where, problems
        super().__init__(f"{where}: " + "; ".join(problems))


@dataclass(frozen=True)
class Place:
    kind: str  # "centre" or one of KINDS
    name: str
    address: str
    lat: float
    lon: float
    phone: str = ""
    hours: str = ""
    name_en: str = ""
    address_en: str = ""
    hours_en: str = ""
    detail: str = ""  # what the place is for, after its name: 동물등록 대행, 지하철 7호선, 엘리베이터는 3번 출구
    detail_en: str = ""

    def about(self, lang: str) -> str:
        return self.detail_en if lang in ENGLISH_DATA and self.detail_en else self.detail

    def title(self, lang: str) -> str:
        """The name in English with the Korean one in brackets, as on the signs (texts.both)."""
        return both(self.name, self.name_en, lang)

    def where(self, lang: str) -> str:
        return self.address_en if lang in ENGLISH_DATA and self.address_en else self.address

    def opening(self, lang: str) -> str:
        return self.hours_en if lang in ENGLISH_DATA and self.hours_en else self.hours

    def venue_address(self, lang: str = "ko") -> str:
        """The line under a place's name: address, phone, hours."""
        return " · ".join(
            p for p in (self.where(lang), f"☎ {self.phone}" if self.phone else "", self.opening(lang)) if p
        )


@dataclass(frozen=True)
class DongInfo:
    dong: str
    source: str
    updated: date
    sample: bool
    centre: Place
    notes: dict[str, tuple[str, str]]  # key -> (ko, en)
    facilities: tuple[Place, ...]
    path: str = ""

    def note(self, key: str, lang: str) -> str | None:
        pair = self.notes.get(key)
        if pair is None:
            return None
        return pair[1] if lang in ENGLISH_DATA and pair[1] else pair[0]

    def places(self, kind: str, limit: int | None = None) -> list[Place]:
        found = [self.centre] if kind == "centre" else [f for f in self.facilities if f.kind == kind]
        return found if limit is None else found[:limit]


# --- validation helpers ----------------------------------------------------------------------


def _text(obj: dict, key: str, path: str, problems: list[str], *, required: bool = True, max_len: int = 200) -> str:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{path}.{key}: missing")
        return ""
    if not isinstance(value, str):
        problems.append(f"{path}.{key}: must be text, got {type(value).__name__} {value!r}")
        return ""
    if len(value) > max_len:
        problems.append(f"{path}.{key}: longer than {max_len} characters ({len(value)})")
    return value.strip()


def _coordinate(obj: dict, key: str, path: str, problems: list[str]) -> float | None:
    value = obj.get(key)
    if value is None:
        problems.append(f"{path}.{key}: missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{path}.{key}: must be a number in decimal degrees, got {value!r}")
        return None
    return float(value)


def _place(obj, path: str, kind: str | None, problems: list[str], *, centre: bool = False) -> Place | None:
    if not isinstance(obj, dict):
        problems.append(f"{path}: must be an object, got {type(obj).__name__}")
        return None
    before = len(problems)
    if kind is None:
        kind = obj.get("kind")
        if kind not in KINDS:
            problems.append(f"{path}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    name = _text(obj, "name", path, problems, max_len=64)  # a venue title longer than this is cut
    address = _text(obj, "address", path, problems, max_len=120)
    phone = _text(obj, "phone", path, problems, required=centre, max_len=20)
    hours = _text(obj, "hours", path, problems, required=centre, max_len=60)
    name_en = _text(obj, "name_en", path, problems, max_len=96)
    address_en = _text(obj, "address_en", path, problems, max_len=160)
    hours_en = _text(obj, "hours_en", path, problems, required=bool(hours), max_len=80)
    detail = _text(obj, "detail", path, problems, required=False, max_len=80)
    detail_en = _text(obj, "detail_en", path, problems, required=bool(detail), max_len=120)
    for key, value in (
        ("name_en", name_en),
        ("address_en", address_en),
        ("hours_en", hours_en),
        ("detail_en", detail_en),
    ):
        check_english(value, f"{path}.{key}", problems)
    if phone and (wrong := check_phone(phone, name)):
        problems.append(f"{path}.phone: {wrong}")
    lat, lon = _coordinate(obj, "lat", path, problems), _coordinate(obj, "lon", path, problems)
    if lat is not None and lon is not None:
        lat_ok = LAT_RANGE[0] <= lat <= LAT_RANGE[1]
        lon_ok = LON_RANGE[0] <= lon <= LON_RANGE[1]
        if not (lat_ok and lon_ok):
            if LAT_RANGE[0] <= lon <= LAT_RANGE[1] and LON_RANGE[0] <= lat <= LON_RANGE[1]:
                problems.append(f"{path}: lat {lat} / lon {lon} look swapped (lat is about 37, lon about 127)")
            else:
                if not lat_ok:
                    problems.append(f"{path}.lat: {lat} is not a latitude in Korea ({LAT_RANGE[0]}–{LAT_RANGE[1]})")
                if not lon_ok:
                    problems.append(f"{path}.lon: {lon} is not a longitude in Korea ({LON_RANGE[0]}–{LON_RANGE[1]})")
    if len(problems) > before:
        return None
    return Place(
        kind=kind,
        name=name,
        address=address,
        lat=lat,
        lon=lon,
        phone=phone,
        hours=hours,
        name_en=name_en,
        address_en=address_en,
        hours_en=hours_en,
        detail=detail,
        detail_en=detail_en,
    )


def _notes(raw, problems: list[str]) -> dict[str, tuple[str, str]]:
    if not isinstance(raw, dict):
        problems.append("notes: missing or not an object")
        return {}
    notes = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        path = "notes." + key
        if key not in NOTE_KEYS:
            problems.append(f"{path}: unknown note (known: {', '.join(NOTE_KEYS)})")
            continue
        if not isinstance(value, dict):
            problems.append(f"{path}: must be an object with ko and en")
            continue
        ko = _text(value, "ko", path, problems, max_len=TEXT_MAX)
        en = _text(value, "en", path, problems, max_len=TEXT_MAX)
        check_english(en, path + ".en", problems)
        if ko:
            notes[key] = (ko, en)
    for key in REQUIRED_NOTES:
        if key not in raw:
            problems.append("notes." + key + f": missing (every 동 needs {', '.join(REQUIRED_NOTES)})")
    return notes


def parse_dong(raw, where: str = "<data>") -> DongInfo:
    """Validate one file's parsed JSON; raises DistrictDataError listing every problem."""
    if not isinstance(raw, dict):
        raise DistrictDataError(where, ["the file must hold one JSON object"])
    problems: list[str] = []
    dong = _text(raw, "dong", "", problems, max_len=20)
    source = _text(raw, "source", "", problems, max_len=TEXT_MAX)
    updated = None
    raw_updated = raw.get("updated")
    if raw_updated is None:
        problems.append(".updated: missing (YYYY-MM-DD)")
    else:
        try:
            updated = date.fromisoformat(str(raw_updated))
        except ValueError:
            problems.append(f".updated: {raw_updated!r} is not a date (YYYY-MM-DD)")
    sample = raw.get("sample", False)
    if not isinstance(sample, bool):
        problems.append(f".sample: must be true or false, got {sample!r}")
    centre = _place(raw.get("centre"), "centre", "centre", problems, centre=True) if "centre" in raw else None
    if "centre" not in raw:
        problems.append("centre: missing (the 동 주민센터 with name, address, phone, hours, lat, lon)")
    notes = _notes(raw.get("notes"), problems)
    facilities = []
    raw_fac = raw.get("facilities", [])
    if not isinstance(raw_fac, list):
        problems.append("facilities: must be a list")
        raw_fac = []
    for i, f in enumerate(raw_fac):
        label = f"facilities[{i}]" + (f" ({f.get('name')})" if isinstance(f, dict) and f.get("name") else "")
        place = _place(f, label, None, problems)
        if place is not None:
            facilities.append(place)
    check_values(raw, "", problems)
    if problems:
        raise DistrictDataError(where, problems)
    return DongInfo(
        dong=dong,
        source=source,
        updated=updated,
        sample=sample,
        centre=centre,
        notes=notes,
        facilities=tuple(facilities),
        path=where,
    )


def load_dong(path: str | Path) -> DongInfo:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DistrictDataError(str(path), [f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"]) from None
    except UnicodeDecodeError:
        raise DistrictDataError(str(path), ["not UTF-8 text"]) from None
    return parse_dong(raw, str(path))


def load_all(folder: str | Path = DEFAULT_DIR, dongs: Iterable[str] | None = None) -> dict[str, DongInfo]:
    """Every ``*.json`` in ``folder`` by 동 name. With ``dongs`` (the district's 동 list) a file for
    a 동 the district does not have is refused. Errors of all files are reported together."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DistrictDataError(str(folder), ["folder not found"])
    known = set(dongs) if dongs is not None else None
    found: dict[str, DongInfo] = {}
    errors: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            info = load_dong(path)
        except DistrictDataError as e:
            errors.append(str(e))
            continue
        if known is not None and info.dong not in known:
            errors.append(f"{path}: dong {info.dong!r} is not a 동 of the district")
        elif info.dong in found:
            errors.append(f"{path}: dong {info.dong!r} also in {found[info.dong].path}")
        else:
            found[info.dong] = info
    if errors:
        raise DistrictDataError(str(folder), errors)
    return found
