// Test data for the assessment pages' tests.
import type { Assessment, Review, ReviewQuestion } from '../../assessments'

export function assessment(overrides: Partial<Assessment> = {}): Assessment {
  return {
    id: 'as-1',
    vendor_id: 'v-1',
    vendor_name: 'Globex',
    questionnaire_id: 'q-1',
    questionnaire_name: 'Security baseline',
    version: 1,
    status: 'submitted',
    recipient_name: 'Vera Vendor',
    recipient_email: 'vera@vendor.example',
    message: '',
    due_date: '2027-01-31',
    token_expires_at: '2027-03-02T00:00:00Z',
    link_expired: false,
    sent_by: 'u-1',
    sent_by_name: 'Alice',
    sent_at: '2026-12-01T09:00:00Z',
    opened_at: '2026-12-02T09:00:00Z',
    submitted_at: '2026-12-03T09:00:00Z',
    completed_at: null,
    completed_by: null,
    cancelled_at: null,
    score: 81,
    rating: 'medium',
    evaluation: 'done',
    evaluation_error: null,
    ...overrides,
  }
}

export function question(overrides: Partial<ReviewQuestion> = {}): ReviewQuestion {
  return {
    id: 'staff',
    type: 'number',
    text: 'How many security staff do you employ?',
    help: '',
    required: true,
    weight: 1,
    severity: 'medium',
    requirement: '',
    options: [],
    answer: 1,
    answer_label: '1',
    answered_at: '2026-12-03T09:00:00Z',
    needs_model: false,
    auto_score: 0,
    auto_source: 'rules',
    auto_rationale: '1 against at least 2',
    override_score: null,
    override_reason: null,
    override_by: null,
    override_by_name: null,
    override_at: null,
    effective_score: 0,
    evidence: [],
    ...overrides,
  }
}

export function review(questions: ReviewQuestion[], overrides: Partial<Review> = {}): Review {
  return {
    assessment: assessment(),
    document: {},
    steps: [{ id: 'assurance', title: 'Assurance', description: '', questions }],
    result: { score: 81, rating: 'medium', pending: 0, findings: [{ question_id: 'staff', severity: 'medium', title: 'How many security staff do you employ?', score: 0 }] },
    can_complete: true,
    complete_refusal: null,
    timeline: [{ at: '2026-12-01T09:00:00Z', event: 'sent', actor_name: 'Alice', detail: {} }],
    ...overrides,
  }
}
