"""Triage: a short questionnaire, rules as data, a pure engine, ranking and explanations."""
