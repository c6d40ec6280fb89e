"""Per-동 life information for new residents: loader and validator of ``data/dongs/*.json``.

One file per 동 (format: docs/district-data.md): the 동 주민센터, notes (waste and recycling days,
parking permits, animal registration ...) in Korean and English, and facilities with coordinates.
A file is data a district edits by hand, so the loader checks everything and says exactly what is
wrong and where (file, field path, value) instead of failing later in front of a resident. All
problems of a file are reported at once.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

DEFAULT_DIR = Path(__file__).parent / "data" / "dongs"

# Facility kinds and note keys a file may use (the sections in data/new_residents.json refer to them).
KINDS = ("library", "park", "childcare", "paediatric", "playground", "school", "senior_welfare",
         "clinic", "transport", "animal_registration", "resident_parking")
NOTE_KEYS = ("waste", "recycling", "parking_permit", "library", "childcare", "school", "senior",
             "animal_registration", "resident_parking")
REQUIRED_NOTES = ("waste", "recycling", "parking_permit")
# South Korea's mainland and islands, generously; a point outside is a typo or swapped lat/lon.
LAT_RANGE, LON_RANGE = (33.0, 38.7), (124.5, 131.9)
TEXT_MAX = 1000


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

    def venue_address(self) -> str:
        """The line under the title of a Telegram venue: address, phone, hours."""
        return " · ".join(p for p in (self.address, f"☎ {self.phone}" if self.phone else "", self.hours) if p)


@dataclass(frozen=True)
class DongInfo:
    dong: str
    source: str
    updated: date
    sample: bool
    centre: Place
    notes: dict[str, tuple[str, str]]  # key -> (ko, en); en may be "" (falls back to ko)
    facilities: tuple[Place, ...]
    path: str = ""

    def note(self, key: str, lang: str) -> str | None:
        pair = self.notes.get(key)
        if pair is None:
            return None
        return pair[1] if lang == "en" and pair[1] else pair[0]

    def places(self, kind: str, limit: int | None = None) -> list[Place]:
        found = [self.centre] if kind == "centre" else [f for f in self.facilities if f.kind == kind]
        return found if limit is None else found[:limit]


# --- validation helpers ----------------------------------------------------------------------

def _text(obj: dict, key: str, path: str, problems: list[str], *, required: bool = True,
          max_len: int = 200) -> str:
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
    return Place(kind=kind, name=name, address=address, lat=lat, lon=lon, phone=phone, hours=hours)


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
        en = _text(value, "en", path, problems, required=False, max_len=TEXT_MAX)
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
    if problems:
        raise DistrictDataError(where, problems)
    return DongInfo(dong=dong, source=source, updated=updated, sample=sample, centre=centre,
                    notes=notes, facilities=tuple(facilities), path=where)


def load_dong(path: str | Path) -> DongInfo:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DistrictDataError(str(path), [f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"])
    except UnicodeDecodeError:
        raise DistrictDataError(str(path), ["not UTF-8 text"])
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
