"""Third-party risk: questionnaire documents, answers, scoring and reassessment cadence (pure)."""
