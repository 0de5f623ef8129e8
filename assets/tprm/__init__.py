"""Third-party risk in the pipeline: evaluation of submitted assessments, vendor e-mails,
reminders and reassessment notices."""
