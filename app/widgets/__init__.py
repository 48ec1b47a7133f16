"""Small reusable widgets (player bar, ...)."""
