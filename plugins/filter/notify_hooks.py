# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which webhooks an event of a run goes to, and what to say of those that were not delivered.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DELIVERED = (200, 201, 202, 204)


def hooks_for_event(hooks, event, default_events):
    """The hooks whose events (default_events when they name none) include the event."""
    return [hook for hook in hooks if event in hook.get("events", default_events)]


def undelivered_notices(results, hooks, event):
    """A warning per notification not delivered: the hook's position and type, the HTTP status and the error
    with the hook's URL masked, never the URL."""
    return [notice(result, hooks, event) for result in results if as_int(result.get("status", -1)) not in DELIVERED]


def notice(result, hooks, event):
    hook = result["item"]
    error = str(result.get("msg", "no answer")).replace(hook["url"], "<webhook URL>")
    return ("WARNING: the %s notification to webhook %d (%s) was not delivered (the run's outcome is unchanged): HTTP %s: %s"
            % (event, hooks.index(hook) + 1, hook.get("type", "json"), result.get("status", "-"), error))


def as_int(value):
    """As Jinja's int filter: 0 for what is no number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class FilterModule(object):
    def filters(self):
        return {"hooks_for_event": hooks_for_event, "undelivered_notices": undelivered_notices}
