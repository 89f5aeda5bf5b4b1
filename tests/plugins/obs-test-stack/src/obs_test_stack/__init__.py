"""obs-stack test content (filled by the obs-stack work)."""
