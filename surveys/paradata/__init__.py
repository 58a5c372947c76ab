"""Paradata of the respondent's way: page timing, the device, and the too-fast rule."""
