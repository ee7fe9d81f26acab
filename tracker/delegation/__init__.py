"""Delegation down the chain: bodies hand a due date down to the bodies below them (and to the
members of a collective executor), each with an earlier internal date; the answers come back up,
reviewed by the body that handed the work down, and become material for the lead's report."""

from tracker import history

#: the history actions of the chain and of the district registry
ACTIONS = ("delegation.created", "delegation.group_expanded", "subreport.submitted", "subreport.resubmitted",
           "subreport.accepted", "subreport.returned", "districts.corrected", "districts.bodies_created",
           "organisations.imported")

# tracker.history.ACTIONS is the list every entry is checked against; until it names these itself
# (the handover asks for that line), they are added to it here, once, when this package loads.
history.ACTIONS = history.ACTIONS + tuple(a for a in ACTIONS if a not in history.ACTIONS)
