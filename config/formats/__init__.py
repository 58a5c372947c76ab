"""The project's own date and number formats (FORMAT_MODULE_PATH), where Django has none.

Django ships no Kazakh formats: without config/formats/kk, Kazakh pages take the English ones
(a 12-hour clock with a.m./p.m., a decimal point). Russian needs none: Django's are right
(decimal comma, no-break space for thousands, day month year with a 24-hour clock). A setting
missing here falls back to Django's module for the language, then to the global settings.
"""
