"""obs-core's own defaults, written as plugins so a third party can extend or replace them."""
