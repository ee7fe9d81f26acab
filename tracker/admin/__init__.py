"""Administration: accounts and the body registry (the administrator role only)."""
