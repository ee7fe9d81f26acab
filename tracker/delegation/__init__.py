"""Delegation down the chain: bodies hand a due date down to the bodies below them (and to the
members of a collective executor), each with an earlier internal date; the answers come back up,
reviewed by the body that handed the work down, and become material for the lead's report."""

#: the history actions of the chain and of the district registry (tracker.history.ACTIONS, the list
#: every entry is checked against, names them too; tests/test_history.py checks both agree)
ACTIONS = ("delegation.created", "delegation.group_expanded", "subreport.submitted", "subreport.resubmitted",
           "subreport.accepted", "subreport.returned", "districts.corrected", "districts.bodies_created",
           "organisations.imported")

