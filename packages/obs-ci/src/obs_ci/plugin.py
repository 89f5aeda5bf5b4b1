"""obs-ci in the `obs` entry-point group: its built-in rules (filled by the obs-ci work)."""
