"""Kazakh formats as written in Kazakhstan: 01.12.2026 15:11, 12,5, 1 234 567 (no-break spaces)."""

# The *_FORMAT strings use Django's date format syntax; day, month and year in figures need
# no month names, which Django's Kazakh catalogue lacks in the genitive.
DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d.m.Y H:i"
YEAR_MONTH_FORMAT = "m.Y"
MONTH_DAY_FORMAT = "d.m"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The *_INPUT_FORMATS use Python's strftime syntax; Django adds the ISO formats after these.
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%y %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3
