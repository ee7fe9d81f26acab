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
