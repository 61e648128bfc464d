"""Template tags of the meeting module (`governance_ui`: its tabs and breadcrumbs)."""
