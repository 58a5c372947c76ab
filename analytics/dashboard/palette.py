"""The colours of a crosstab's answers: distinct for everyone, colour-blind readers included."""

from __future__ import annotations

import colorsys

# Okabe & Ito (2008), "Color Universal Design": eight colours that stay apart under protanopia,
# deuteranopia and tritanopia. Ordered so that the first few (most questions have 3 to 6 answers)
# are the furthest apart; the old green "No" and red "Hard to say" were one colour to 1 man in 12.
OKABE_ITO = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#d55e00",  # vermillion
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#f0e442",  # yellow
    "#000000",  # black
)
# Up to 16 answers side by side (a demo question has 14): eight more, each at a CIE76 colour
# difference above 20 from every other colour here.
EXTENSION = (
    "#7f7f7f",
    "#8c564b",
    "#9edae5",
    "#5b1a2e",
    "#a5d46a",
    "#f7a9a8",
    "#0b2f5b",
    "#b5a300",
)
CATEGORICAL = OKABE_ITO + EXTENSION


def categorical_colour(*, index: int) -> str:
    """Return the #rrggbb colour of a crosstab's index-th answer."""
    if index < len(CATEGORICAL):
        return CATEGORICAL[index]
    # Beyond the palette: golden-angle hues, alternately dark and light.
    hue = (index * 137.508) % 360 / 360
    red, green, blue = colorsys.hls_to_rgb(hue, 0.35 if index % 2 else 0.6, 0.55)
    return "#" + "".join(f"{round(255 * c):02x}" for c in (red, green, blue))
