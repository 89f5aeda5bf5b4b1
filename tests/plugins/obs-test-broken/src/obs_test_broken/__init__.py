"""A plugin whose import fails, as a half-installed or buggy third-party plugin would."""

raise RuntimeError("obs-test-broken is broken on purpose")
