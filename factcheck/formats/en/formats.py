"""The newsroom's formats for Django (FORMAT_MODULE_PATH): "2 December 2026", "2 December 2026, 14:05 CET".

The same as claims.formats, which the code that writes text itself uses. Date inputs take
ISO ("2026-12-02", what the admin's calendar writes, and so first) and the newsroom's
way ("2 December 2026", "2 Dec 2026").
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i T"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-02 (first: the admin's calendar writes it)
    "%d %B %Y",  # 2 December 2026
    "%d %b %Y",  # 2 Dec 2026
    "%d.%m.%Y",  # 02.12.2026
    "%d/%m/%Y",  # 02/12/2026 (day first, as in Europe)
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    *(f"{date} {time}" for date in DATE_INPUT_FORMATS for time in TIME_INPUT_FORMATS),
    *(f"{date}, {time}" for date in DATE_INPUT_FORMATS[1:3] for time in TIME_INPUT_FORMATS),
    *DATE_INPUT_FORMATS,
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
