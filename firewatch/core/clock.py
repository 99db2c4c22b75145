"""Time, written once: stored and exchanged in UTC, shown to people in Beijing time.

`utcnow()`, `to_utc`, `iso` and `parse_iso` give timezone-aware UTC for machine fields (a naive
datetime is UTC); `show_time(dt)` gives "2026-12-02 09:30 北京时间" and `show_date(dt)` the Beijing
day, for people ("" for None, non-ISO text as it is); `zone(name)` is a named time zone.
`set_offset(delta)` shifts `utcnow()` for a simulation (`[clock] offset_days`, the demo's campaign
of several weeks); it is zero unless a setting or the demo asks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BEIJING", "BEIJING_LABEL", "iso", "offset", "parse_iso", "set_offset", "show_date", "show_time",
           "to_beijing", "to_utc", "utcnow", "zone"]

BEIJING_LABEL = "北京时间"
_CHINA_NAMES = ("Asia/Shanghai", "Asia/Chongqing", "PRC")


def zone(name: str | None) -> tzinfo:
    """The named time zone (None or "" is UTC); China's is a fixed +08:00 without a tz database."""
    if not name or name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if name in _CHINA_NAMES:
            return timezone(timedelta(hours=8), name)
        raise


BEIJING = zone("Asia/Shanghai")


_offset = timedelta(0)


def set_offset(delta: timedelta) -> None:
    """Shift `utcnow()` by `delta` in this process (a simulated clock; timedelta(0) is the real one)."""
    global _offset
    _offset = delta


def offset() -> timedelta:
    """The shift `set_offset` gave (timedelta(0): the real clock)."""
    return _offset


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (shifted by `set_offset`, if a simulation set one)."""
    return datetime.now(timezone.utc) + _offset


def to_utc(value: datetime) -> datetime:
    """`value` in UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text of the time in UTC ("2026-12-02T01:30:00+00:00"); None stays None."""
    return None if value is None else to_utc(value).isoformat()


def parse_iso(text: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from ISO 8601 text (naive text is UTC); None for None or ""."""
    if not text:
        return None
    return to_utc(datetime.fromisoformat(text))


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def to_beijing(value: datetime) -> datetime:
    """`value` in Beijing time (a naive datetime is taken to be UTC)."""
    return to_utc(value).astimezone(BEIJING)


def show_time(value: Any, seconds: bool = False) -> str:
    """A time for people: "2026-12-02 09:30 北京时间" (ISO text accepted; "" for None)."""
    if value is None or value == "":
        return ""
    when = _as_datetime(value)
    if when is None:
        return str(value)
    return f"{to_beijing(when):%Y-%m-%d %H:%M{':%S' if seconds else ''}} {BEIJING_LABEL}"


def show_date(value: Any) -> str:
    """The Beijing calendar day of a time, "2026-12-02" (a date is shown as it is; "" for None)."""
    if value is None or value == "":
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    when = _as_datetime(value)
    return str(value) if when is None else to_beijing(when).date().isoformat()
