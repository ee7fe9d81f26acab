"""What happens to indicators' actuals, for the receivers that tell people (tracker.work.notify).
Sent inside the transaction of the change, before its commit: whatever a receiver adds to the
session is stored with the change or not at all."""

from blinker import Namespace

_signals = Namespace()

#: actuals were entered (one from the form, or a spreadsheet's in one go) — sent with `actuals`
actual_submitted = _signals.signal("actual-submitted")
#: the coordinator accepted or returned an actual — sent with `actual` (its state says which)
actual_reviewed = _signals.signal("actual-reviewed")
