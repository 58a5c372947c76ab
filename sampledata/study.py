"""The founding study's published picture: the shares its 505 respondents gave.

Source: the study's published article and its questionnaire specification (a copy is in
tests/data/questionnaire.md). Where the article gives only a total ("positive (both) 56.2",
"rest shared by the last three"), the split is ours; so are the shares of options it does not
mention. The demo data and the bulk generator both draw from here.
"""

from __future__ import annotations

# Percent of respondents. Multiple choice: each option on its own (columns sum over 100).
STUDY_SHARES: dict[str, dict[str, float]] = {
    "awareness": {"yes_fully": 48.5, "partially": 27.7, "no": 17.8, "hard_to_say": 5.9},
    "impact": {
        "strongly_positive": 20.2,
        "moderately_positive": 36.0,
        "neutral": 21.6,
        "moderately_negative": 2.8,
        "strongly_negative": 1.6,
        "hard_to_say": 17.8,
    },
    "initiatives": {
        "very_effective": 21.8,
        "fairly_effective": 22.6,
        "moderately_effective": 20.0,
        "low_effective": 5.9,
        "ineffective": 1.4,
        "not_familiar": 28.3,
    },
    "platforms": {
        "telegram": 68.7,
        "instagram": 46.5,
        "youtube": 44.2,
        "tiktok": 30.7,
        "facebook": 21.4,
        "whatsapp": 20.4,
        "x": 16.2,
        "vk": 15.4,
        "wechat": 12.3,
        "odnoklassniki": 6.7,
        "dzen": 5.0,
        "rumble": 2.0,
        "bluesky": 1.8,
        "other": 6.3,
    },
    "trust": {
        "definitely_yes": 41.2,
        "rather_yes": 44.4,
        "rather_no": 6.1,
        "definitely_no": 2.2,
        "hard_to_say": 6.1,
    },
    "threats": {
        "cyberattacks": 36.4,
        "disinformation": 30.1,
        "data_loss": 16.0,
        "opaque_sources": 8.1,
        "foreign_interference": 7.2,
        "other": 2.2,
    },
    "conflict_prevention": {
        "fast_exchange": 62.2,
        "explain_positions": 47.3,
        "build_trust": 44.6,
        "transparency": 40.2,
        "no_role": 4.4,
        "hard_to_say": 5.1,
        "other": 1.6,
    },
    # The study: Kazakhstan, Russia and Belarus most represented; China within the error.
    "country": {
        "kz": 45.0,
        "ru": 21.0,
        "by": 12.0,
        "uz": 7.1,
        "kg": 5.9,
        "tj": 4.0,
        "ir": 3.0,
        "cn": 2.0,
    },
    "age_group": {"under_30": 79.6, "30_39": 11.0, "40_49": 5.0, "50_59": 3.0, "60_plus": 1.4},
    "gender": {"female": 53.5, "male": 46.5},
    "status": {
        "student": 59.8,
        "employed": 27.1,
        "self_employed": 5.1,
        "not_working": 4.4,
        "other": 3.6,
    },
    "sphere": {
        "public_administration": 24.8,
        "education": 17.0,
        "science": 15.2,
        "it": 12.3,
        "international": 8.9,
        "business": 9.7,
        "media": 6.2,
        "other": 5.9,
    },
}
MULTIPLE_CHOICE = ("platforms", "conflict_prevention")
