"""Checks on text that comes from outside."""


def contains_nul(value) -> bool:
    """Whether a string, or any key or value of a parsed JSON document, holds a NUL character (which
    PostgreSQL cannot store or compare)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False
