"""obs-stack's registration in the `obs` entry-point group (filled by the obs-stack work)."""
