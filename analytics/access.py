"""Who may see the analysts' pages."""

from __future__ import annotations

from membership.access import staff_page
from membership.models import Role

# The analyst permission, and a membership as analyst of the survey named by the URL's slug.
# Never cached, login first, then the role and the membership: as every staff page.
analyst_required = staff_page(Role.ANALYST)
