"""What the plans package asks of the packages built on it.

Reports build on plans, so plans never import them. Yet an edited deadline or a re-imported
plan must not drop a due date somebody has reported on. So plans ask, by a signal, and every
package that keeps things hanging on obligations answers (tracker.reports.models does). This is
the pattern Indico's modules use to stay independent (`values_from_signal`).
"""

from blinker import Namespace

_signals = Namespace()

#: sent with `ids` (obligation ids); each receiver returns the set of those ids it keeps something for
obligations_in_use = _signals.signal("obligations-in-use")


def obligations_kept_by_others(ids: list[int]) -> set[int]:
    """The obligations among `ids` that another package keeps something for (reports, above all)."""
    found: set[int] = set()
    if ids:
        for _receiver, answer in obligations_in_use.send(None, ids=ids):
            found |= answer
    return found

#: sent with `parsed` (a ParsedPlan) by `plans parse --json`; each receiver returns a dict of keys
#: to add to the JSON (tracker.indicators adds "indicators": what the import will propose)
plan_parsed = _signals.signal("plan-parsed")


def parsed_plan_extras(parsed) -> dict:
    """What the packages built on plans add to a parsed plan's JSON."""
    extras: dict = {}
    for _receiver, answer in plan_parsed.send(None, parsed=parsed):
        extras.update(answer or {})
    return extras
