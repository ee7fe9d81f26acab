"""What happens to reports, for the packages built on this one to act on (tracker.work tells
people). Sent inside the transaction of the change, before its commit: whatever a receiver adds
to the session is stored with the change or not at all."""

from blinker import Namespace

_signals = Namespace()

#: a lead report or a contribution was posted — sent with `report`
report_submitted = _signals.signal("report-submitted")
#: a lead report was accepted or returned — sent with `report` (its state says which)
report_reviewed = _signals.signal("report-reviewed")
