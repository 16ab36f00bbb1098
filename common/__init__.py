"""Small helpers shared by every app. The bottom layer: imports Django and the standard library only, no app."""
