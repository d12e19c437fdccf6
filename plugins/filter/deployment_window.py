# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: deployment_window
short_description: Tell whether a moment falls inside a weekly deployment window
version_added: 0.1.0
description:
  - Evaluates a weekly window such as the runbooks' "Tuesday 02:00-06:00 KST" at a given moment
    (default now) in the window's time zone.
  - Returns a dictionary with RV(_value.open) (bool), RV(_value.now) (the moment in the window's zone, ISO 8601),
    RV(_value.opens) and RV(_value.closes) (the current or next window, ISO 8601) and a readable RV(_value.summary).
positional: now
options:
  _input:
    description: The window.
    type: dict
    required: true
    suboptions:
      weekdays:
        description: Days the window opens on, English names (C(Tuesday)) or abbreviations (C(Tue)).
        type: list
        elements: str
        required: true
      start:
        description: Opening time, C(HH:MM).
        type: str
        required: true
      end:
        description: Closing time, C(HH:MM). A value before O(_input.start) closes the next day.
        type: str
        required: true
      timezone:
        description: IANA time zone of O(_input.start) and O(_input.end).
        type: str
        default: UTC
  now:
    description: The moment to evaluate, ISO 8601 with an offset. Defaults to the current time.
    type: str
"""

EXAMPLES = r"""
- name: Stop outside the release window unless this is an emergency
  ansible.builtin.assert:
    that: window.open or runbook_emergency | bool
    fail_msg: "{{ window.summary }}"
  vars:
    window: "{{ runbook_deployment_window | runbook.ops.deployment_window }}"
"""

RETURN = r"""
_value:
  description: Whether the window is open, and when it opens and closes.
  type: dict
  sample: {open: false, now: '2026-12-01T21:30:00+09:00', opens: '2026-12-08T02:00:00+09:00',
           closes: '2026-12-08T06:00:00+09:00',
           summary: 'deployment window closed; opens 2026-12-08T02:00:00+09:00 (now 2026-12-01T21:30:00+09:00)'}
  contains:
    open:
      description: The moment is inside the window.
      type: bool
      sample: false
    now:
      description: The moment, in the window's time zone (ISO 8601).
      type: str
      sample: "2026-12-01T21:30:00+09:00"
    opens:
      description: Opening of the current (if open) or next window (ISO 8601).
      type: str
      sample: "2026-12-08T02:00:00+09:00"
    closes:
      description: Closing of that window (ISO 8601).
      type: str
      sample: "2026-12-08T06:00:00+09:00"
    summary:
      description: One line for humans.
      type: str
      sample: "deployment window closed; opens 2026-12-08T02:00:00+09:00 (now 2026-12-01T21:30:00+09:00)"
"""

import datetime

from ansible.errors import AnsibleFilterError

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # Python < 3.9 has no zoneinfo; UTC still works
    ZoneInfo = None
    ZoneInfoNotFoundError = KeyError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_number(name):
    lowered = str(name).strip().lower()
    for number, day in enumerate(WEEKDAYS):
        if lowered == day or (len(lowered) >= 3 and day.startswith(lowered)):
            return number
    raise AnsibleFilterError("deployment_window: unknown weekday %r; use e.g. Tuesday or Tue" % name)


def _clock(value, field):
    try:
        hours, minutes = (int(part) for part in str(value).split(":"))
        return datetime.time(hours, minutes)
    except (TypeError, ValueError):
        raise AnsibleFilterError("deployment_window: %s must be HH:MM, got %r" % (field, value))


def _zone(name):
    if name in (None, "", "UTC"):
        return datetime.timezone.utc
    if ZoneInfo is None:
        raise AnsibleFilterError("deployment_window: time zone %r needs Python 3.9+ (zoneinfo)" % name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AnsibleFilterError("deployment_window: unknown time zone %r" % name)


def _moment(now, zone):
    if now is None:
        return datetime.datetime.now(zone)
    try:
        parsed = datetime.datetime.fromisoformat(str(now))
    except ValueError:
        raise AnsibleFilterError("deployment_window: now must be ISO 8601, got %r" % now)
    if parsed.tzinfo is None:
        raise AnsibleFilterError("deployment_window: now needs a UTC offset, got %r" % now)
    return parsed.astimezone(zone)


def _windows_around(moment, days, start, end):
    """Yield (opens, closes) for each window opening from yesterday to a week ahead, in order."""
    for offset in range(-1, 8):
        day = moment.date() + datetime.timedelta(days=offset)
        if day.weekday() not in days:
            continue
        opens = datetime.datetime.combine(day, start, tzinfo=moment.tzinfo)
        closes = datetime.datetime.combine(day, end, tzinfo=moment.tzinfo)
        if closes <= opens:
            closes += datetime.timedelta(days=1)
        yield opens, closes


def deployment_window(window, now=None):
    if not isinstance(window, dict):
        raise AnsibleFilterError("deployment_window: expected a dict with weekdays, start, end, timezone")
    missing = [key for key in ("weekdays", "start", "end") if key not in window]
    if missing:
        raise AnsibleFilterError("deployment_window: missing %s" % ", ".join(missing))
    zone = _zone(window.get("timezone"))
    days = {_weekday_number(day) for day in window["weekdays"]}
    start, end = _clock(window["start"], "start"), _clock(window["end"], "end")
    moment = _moment(now, zone)
    for opens, closes in _windows_around(moment, days, start, end):
        if moment < closes:
            is_open = opens <= moment
            state = "open until %s" % closes.isoformat() if is_open else "closed; opens %s" % opens.isoformat()
            return {"open": is_open, "now": moment.isoformat(), "opens": opens.isoformat(),
                    "closes": closes.isoformat(), "summary": "deployment window %s (now %s)" % (state, moment.isoformat())}
    raise AnsibleFilterError("deployment_window: weekdays must name at least one day")


class FilterModule:
    def filters(self):
        return {"deployment_window": deployment_window}
