"""Plans seen with their progress: the plan list, the plan page and the activity page."""
