"""What happens down the chain, for the receivers that tell people (tracker.delegation.notify).
Sent inside the transaction of the change, before its commit: whatever a receiver adds to the
session is stored with the change or not at all."""

from blinker import Namespace

_signals = Namespace()

#: a due date was handed down — sent with `delegation`
delegated = _signals.signal("delegated")
#: a delegated body posted its report — sent with `report`
sub_report_submitted = _signals.signal("sub-report-submitted")
#: the delegating body accepted or returned a sub-report — sent with `report` (its state says which)
sub_report_reviewed = _signals.signal("sub-report-reviewed")
