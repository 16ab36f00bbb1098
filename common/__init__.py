"""Small helpers shared by every app. The bottom layer: imports Django, DRF, the standard library and the
redis client only, no app of the project."""
