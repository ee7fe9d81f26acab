"""What happens to items on control, for the packages built on this one to act on (tracker.work
tells people). Sent inside the transaction of the change, before its commit."""

from blinker import Namespace

_signals = Namespace()

#: an executor asked for an extension — sent with `request`
extension_requested = _signals.signal("extension-requested")
#: a coordinator approved or refused it — sent with `request`
extension_decided = _signals.signal("extension-decided")
#: the day of the event a deadline waited for was recorded: the obligation has a due date now
event_recorded = _signals.signal("event-recorded")
#: an activity (or, with activity_id None, a whole plan) was taken off control or put back —
#: sent with `plan_id` and `activity_id`
control_changed = _signals.signal("control-changed")
