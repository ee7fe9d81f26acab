"""What is each person's: an executor's *My work*, the coordinator's review inbox, and the
notifications the portal keeps for every account (tracker.work.notify writes them as things
happen to reports and items on control)."""
