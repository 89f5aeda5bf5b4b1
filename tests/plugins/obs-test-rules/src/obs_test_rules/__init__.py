"""obs-ci test rules (filled by the obs-ci work)."""
