"""Data quality: organizers' reviews of flagged responses, and the log of design changes."""
