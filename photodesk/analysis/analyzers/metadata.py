"""Embedded photo metadata: EXIF date and camera, IPTC caption, keywords, byline, place."""

from __future__ import annotations

from typing import Any

from PIL import ExifTags, IptcImagePlugin

from photodesk.analysis.analyzers.base import Analyzer, Facts, Photo
from photodesk.host import capped_metadata

# IPTC-IIM record 2 datasets (https://iptc.org/std/IIM/4.2/specification/IIMV4.2.pdf).
IPTC_FIELDS = {
    (2, 5): "object_name",
    (2, 25): "keywords",
    (2, 55): "date_created",
    (2, 80): "byline",
    (2, 90): "city",
    (2, 95): "province_state",
    (2, 101): "country",
    (2, 105): "headline",
    (2, 110): "credit",
    (2, 116): "copyright",
    (2, 118): "contact",
    (2, 120): "caption",
}


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        for encoding in ("utf-8", "latin-1"):
            try:
                return value.decode(encoding).strip("\x00 ").strip()
            except UnicodeDecodeError:
                continue
    return str(value).strip()


def read_iptc(photo: Photo) -> dict[str, Any]:
    try:
        raw = IptcImagePlugin.getiptcinfo(photo.source)
    except Exception:  # malformed IPTC blocks are common; they are not worth failing for
        return {}
    if not raw:
        return {}
    out: dict[str, Any] = {}
    for key, name in IPTC_FIELDS.items():
        if key not in raw:
            continue
        value = raw[key]
        values = value if isinstance(value, list) else [value]
        texts = [t for t in (_text(v) for v in values) if t]
        if texts:
            out[name] = texts if name == "keywords" else " ".join(texts)
    return out


def read_exif(photo: Photo) -> dict[str, Any]:
    exif = photo.source.getexif()
    if not exif:
        return {}
    named = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.items()}
    named.update(
        {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.get_ifd(ExifTags.IFD.Exif).items()}
    )
    out: dict[str, Any] = {}
    for tag, name in (
        ("DateTimeOriginal", "date_taken"),
        ("DateTime", "date_taken"),
        ("Make", "camera_make"),
        ("Model", "camera_model"),
        ("Artist", "artist"),
        ("ImageDescription", "description"),
        ("Copyright", "copyright"),
    ):
        if tag in named and name not in out:
            text = _text(named[tag])
            if text:
                out[name] = text
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if gps and 2 in gps and 4 in gps:
        try:
            lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
            lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
            out["gps"] = [round(lat, 6), round(lon, 6)]
        except (TypeError, ZeroDivisionError, ValueError):
            pass
    return out


def _degrees(dms) -> float:
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600


# XMP properties (namespace-less names as Pillow's getxmp returns them) → our keys.
XMP_FIELDS = {
    "title": "object_name",
    "Headline": "headline",
    "description": "caption",
    "subject": "keywords",
    "creator": "byline",
    "Credit": "credit",
    "rights": "copyright",
    "UsageTerms": "usage_terms",
    "City": "city",
    "State": "province_state",
    "Country": "country",
    "DateCreated": "date_created",
}


def _xmp_values(value: Any) -> list[str]:
    """XMP values come as str, {"Alt"/"Bag"/"Seq": {"li": ...}} or lists of those."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [v for item in value for v in _xmp_values(item)]
    if isinstance(value, dict):
        for key in ("Alt", "Bag", "Seq", "li", "text"):
            if key in value:
                return _xmp_values(value[key])
    return []


def _walk(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def read_xmp(photo: Photo) -> dict[str, Any]:
    getxmp = getattr(photo.source, "getxmp", None)
    if getxmp is None:
        return {}
    try:
        xmp = getxmp()
    except Exception:  # malformed XMP, or defusedxml missing
        return {}
    out: dict[str, Any] = {}
    for key, value in _walk(xmp):
        name = XMP_FIELDS.get(key)
        if name is None or name in out:
            continue
        values = _xmp_values(value)
        if values:
            out[name] = values if name == "keywords" else " ".join(values)
    return out


class MetadataAnalyzer(Analyzer):
    key = "metadata"

    def model_versions(self) -> dict[str, str]:
        return {"pillow-exif-iptc-xmp": "2"}

    def analyze(self, photo: Photo) -> Facts:
        # Later sources win: IPTC over XMP over EXIF for the same key; keywords are merged.
        exif, xmp, iptc = read_exif(photo), read_xmp(photo), read_iptc(photo)
        metadata = {**exif, **xmp, **iptc}
        keywords = [*iptc.get("keywords", []), *xmp.get("keywords", [])]
        if keywords:
            metadata["keywords"] = list(dict.fromkeys(keywords))
        # A file's caption can be megabytes: keep what a caption needs (MAX_TEXT_CHARS).
        return {"photo_metadata": capped_metadata(metadata)}
