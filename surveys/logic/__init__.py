"""Questionnaire logic: XLSForm-style conditions (relevant, constraint, eligibility)."""
