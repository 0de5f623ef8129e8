// One spec per risk-model entity: its form fields, list columns, sorts and filters. The generic
// list (ModelPage) and form (EntityForm) are driven by these.
import { RiskScoreCell } from './components/RiskScoreCell'
import { Link } from 'react-router'
import type { Column } from './components/DataTable'
import type { FieldSpec, FormSpec, FormValues } from './components/EntityForm'
import { linkClass } from './components/form'
import { directionText, formatValue } from './kri'
import {
  ATTACK_TECHNIQUE_PATTERN,
  SLUG_PATTERN,
  thresholdErrors,
  type EntityKind,
  type EntityMap,
} from './riskModel'
import type { KriDirection } from './api'

export interface Choice {
  value: string
  label: string
}

export interface EntitySpec<K extends EntityKind> extends FormSpec {
  kind: K
  /** The tab's title ("KRIs"). */
  plural: string
  /** A row's human name (for button labels and confirmations). */
  title: (row: EntityMap[K]) => string
  columns: readonly Column<EntityMap[K]>[]
  sorts: readonly Choice[]
  filters?: readonly { name: string; label: string; options: readonly Choice[] }[]
}

const slugField: FieldSpec = {
  name: 'slug',
  label: 'Slug',
  type: 'text',
  required: true,
  createOnly: true,
  pattern: { re: SLUG_PATTERN, message: 'use 2–80 lowercase letters, digits or underscores' },
  hint: 'snake_case, e.g. mfa_adoption_pct. Cannot be changed later.',
}
const nameField: FieldSpec = { name: 'name', label: 'Name', type: 'text', required: true }
const descriptionField: FieldSpec = { name: 'description', label: 'Description', type: 'textarea', wide: true }
// The owner is a member of the tenant, picked from a list; the due and review dates are theirs.
export const ownershipFields: readonly FieldSpec[] = [
  { name: 'owner_user_id', label: 'Owner', type: 'owner', nullable: true },
  { name: 'due_date', label: 'Due date', type: 'date', nullable: true },
  { name: 'review_date', label: 'Review date', type: 'date', nullable: true },
]
/** The owner's name (the member), else the free text older rows carry. */
function ownerCell(r: { owner_name: string | null; owner: string }): string {
  return r.owner_name ?? dash(r.owner)
}
const categoryField: FieldSpec = { name: 'category', label: 'Category', type: 'text' }

export const DIRECTION_OPTIONS: readonly Choice[] = [
  { value: 'higher_is_worse', label: 'Higher is worse' },
  { value: 'lower_is_worse', label: 'Lower is worse' },
]

/** The KRI fields a KRI page edits, in order (labels shared with the model list). */
export const KRI_FIELDS = {
  name: nameField,
  unit: { name: 'unit', label: 'Unit', type: 'text', hint: 'e.g. %, days, count' },
  direction: { name: 'direction', label: 'Direction', type: 'select', required: true, options: DIRECTION_OPTIONS },
  warn: { name: 'warn', label: 'Warn threshold', type: 'number', required: true },
  critical: { name: 'critical', label: 'Critical threshold', type: 'number', required: true },
} satisfies Record<string, FieldSpec>

export function validateKri(values: FormValues): string[] {
  if (values.direction === undefined || values.warn === undefined || values.critical === undefined) return []
  if (values.warn.trim() === '' || values.critical.trim() === '') return []
  return thresholdErrors(values.direction as KriDirection, Number(values.warn), Number(values.critical))
}

const EFFECTIVENESS: readonly Choice[] = [
  { value: 'effective', label: 'Effective' },
  { value: 'partial', label: 'Partial' },
  { value: 'ineffective', label: 'Ineffective' },
  { value: 'not_implemented', label: 'Not implemented' },
]
const FRAMEWORKS: readonly Choice[] = [
  { value: 'cis_v8', label: 'CIS v8' },
  { value: 'nist_csf_2', label: 'NIST CSF 2.0' },
  { value: 'iso_27001', label: 'ISO 27001' },
]
export const RISK_STATUSES: readonly Choice[] = [
  { value: 'open', label: 'Open' },
  { value: 'mitigating', label: 'Mitigating' },
  { value: 'accepted', label: 'Accepted' },
  { value: 'closed', label: 'Closed' },
]
const TIERS: readonly Choice[] = [
  { value: '1', label: 'Tier 1' },
  { value: '2', label: 'Tier 2' },
  { value: '3', label: 'Tier 3' },
]

function labelOf(choices: readonly Choice[], value: string | null): string {
  if (value === null) return '—'
  return choices.find((c) => c.value === value)?.label ?? value
}

const all = (choices: readonly Choice[]): Choice[] => [{ value: '', label: 'All' }, ...choices]
const dash = (s: string | null | undefined) => (s ? s : '—')
const NAME_SORTS: readonly Choice[] = [
  { value: 'name', label: 'Name (A–Z)' },
  { value: '-name', label: 'Name (Z–A)' },
  { value: '-updated_at', label: 'Recently updated' },
]

const kriSpec: EntitySpec<'kris'> = {
  kind: 'kris',
  singular: 'KRI',
  plural: 'KRIs',
  title: (r) => r.name,
  fields: [
    slugField,
    KRI_FIELDS.name,
    descriptionField,
    KRI_FIELDS.unit,
    KRI_FIELDS.direction,
    KRI_FIELDS.warn,
    KRI_FIELDS.critical,
    categoryField,
    ...ownershipFields,
  ],
  validate: validateKri,
  filters: [{ name: 'direction', label: 'Direction filter', options: all(DIRECTION_OPTIONS) }],
  columns: [
    {
      header: 'Name',
      cell: (r) => (
        <Link to={`/kris/${encodeURIComponent(r.id)}`} className={linkClass}>
          {r.name}
        </Link>
      ),
    },
    { header: 'Slug', sortValue: (r) => r.slug, cell: (r) => <code className="text-xs">{r.slug}</code> },
    { header: 'Direction', sortValue: (r) => r.direction, cell: (r) => directionText(r.direction) },
    { header: 'Warn', className: 'tabular-nums', sortValue: (r) => r.warn, cell: (r) => formatValue(r.warn, r.unit) },
    { header: 'Critical', className: 'tabular-nums', sortValue: (r) => r.critical, cell: (r) => formatValue(r.critical, r.unit) },
    { header: 'Category', sortValue: (r) => r.category, cell: (r) => dash(r.category) },
    { header: 'Owner', sortValue: (r) => ownerCell(r), cell: (r) => ownerCell(r) },
    { header: 'Due', sortValue: (r) => r.due_date, cell: (r) => dash(r.due_date ?? '') },
  ],
  sorts: NAME_SORTS,
}

const controlSpec: EntitySpec<'controls'> = {
  kind: 'controls',
  singular: 'control',
  plural: 'Controls',
  title: (r) => r.name,
  fields: [
    slugField,
    nameField,
    descriptionField,
    { name: 'effectiveness', label: 'Effectiveness', type: 'select', required: true, options: EFFECTIVENESS, initial: 'not_implemented' },
    { name: 'framework', label: 'Framework', type: 'select', nullable: true, options: [{ value: '', label: 'None' }, ...FRAMEWORKS] },
    { name: 'framework_ref', label: 'Framework reference', type: 'text', nullable: true, hint: 'e.g. 6.3 (with a framework)' },
    {
      name: 'attack_techniques',
      label: 'ATT&CK techniques',
      type: 'list',
      pattern: { re: ATTACK_TECHNIQUE_PATTERN, message: 'use technique ids like T1059 or T1059.001' },
      hint: 'Comma-separated, e.g. T1059.001, T1566',
    },
    ...ownershipFields,
  ],
  validate: (v) =>
    (v.framework ?? '').trim() === '' && (v.framework_ref ?? '').trim() !== ''
      ? ['A framework reference needs a framework.']
      : (v.framework ?? '').trim() !== '' && (v.framework_ref ?? '').trim() === ''
        ? ['A framework needs a framework reference.']
        : [],
  columns: [
    { header: 'Name', sortValue: (r) => r.name, cell: (r) => r.name },
    { header: 'Slug', sortValue: (r) => r.slug, cell: (r) => <code className="text-xs">{r.slug}</code> },
    { header: 'Effectiveness', sortValue: (r) => r.effectiveness, cell: (r) => labelOf(EFFECTIVENESS, r.effectiveness) },
    { header: 'Framework', sortValue: (r) => r.framework, cell: (r) => (r.framework ? `${labelOf(FRAMEWORKS, r.framework)} ${r.framework_ref ?? ''}` : '—') },
    { header: 'ATT&CK', sortValue: (r) => r.attack_techniques.join(', '), cell: (r) => (r.attack_techniques.length ? r.attack_techniques.join(', ') : '—') },
    { header: 'Owner', sortValue: (r) => ownerCell(r), cell: (r) => ownerCell(r) },
    { header: 'Due', sortValue: (r) => r.due_date, cell: (r) => dash(r.due_date ?? '') },
  ],
  sorts: NAME_SORTS,
  filters: [
    { name: 'effectiveness', label: 'Effectiveness filter', options: all(EFFECTIVENESS) },
    { name: 'framework', label: 'Framework filter', options: all(FRAMEWORKS) },
  ],
}

const riskSpec: EntitySpec<'risks'> = {
  kind: 'risks',
  singular: 'risk',
  plural: 'Risks',
  title: (r) => r.title,
  fields: [
    slugField,
    { name: 'title', label: 'Title', type: 'text', required: true },
    descriptionField,
    categoryField,
    ...ownershipFields,
    { name: 'status', label: 'Status', type: 'select', required: true, options: RISK_STATUSES },
  ],
  columns: [
    {
      header: 'Title',
      cell: (r) => (
        <Link to={`/risks/${encodeURIComponent(r.id)}`} className={linkClass}>
          {r.title}
        </Link>
      ),
    },
    { header: 'Slug', sortValue: (r) => r.slug, cell: (r) => <code className="text-xs">{r.slug}</code> },
    { header: 'Status', sortValue: (r) => r.status, cell: (r) => labelOf(RISK_STATUSES, r.status) },
    { header: 'Score', className: 'whitespace-nowrap', cell: (r) => <RiskScoreCell riskId={r.id} /> },
    { header: 'Category', sortValue: (r) => r.category, cell: (r) => dash(r.category) },
    { header: 'Owner', sortValue: (r) => ownerCell(r), cell: (r) => ownerCell(r) },
    { header: 'Due', sortValue: (r) => r.due_date, cell: (r) => dash(r.due_date ?? '') },
  ],
  sorts: [
    { value: 'title', label: 'Title (A–Z)' },
    { value: '-title', label: 'Title (Z–A)' },
    { value: '-updated_at', label: 'Recently updated' },
  ],
  filters: [{ name: 'status', label: 'Status filter', options: all(RISK_STATUSES) }],
}

const outcomeSpec: EntitySpec<'outcomes'> = {
  kind: 'outcomes',
  singular: 'outcome',
  plural: 'Outcomes',
  title: (r) => r.name,
  fields: [slugField, nameField, descriptionField, ...ownershipFields],
  columns: [
    { header: 'Name', sortValue: (r) => r.name, cell: (r) => r.name },
    { header: 'Slug', sortValue: (r) => r.slug, cell: (r) => <code className="text-xs">{r.slug}</code> },
    { header: 'Description', sortValue: (r) => r.description, cell: (r) => dash(r.description) },
    { header: 'Owner', sortValue: (r) => ownerCell(r), cell: (r) => ownerCell(r) },
    { header: 'Due', sortValue: (r) => r.due_date, cell: (r) => dash(r.due_date ?? '') },
  ],
  sorts: NAME_SORTS,
}

const CRITICALITIES: readonly Choice[] = [
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
  { value: 'critical', label: 'Critical' },
]
const DATA_ACCESS: readonly Choice[] = [
  { value: 'none', label: 'None' },
  { value: 'internal', label: 'Internal' },
  { value: 'confidential', label: 'Confidential' },
  { value: 'restricted', label: 'Restricted' },
]

const vendorSpec: EntitySpec<'vendors'> = {
  kind: 'vendors',
  singular: 'vendor',
  plural: 'Vendors',
  title: (r) => r.name,
  fields: [
    slugField,
    nameField,
    categoryField,
    { name: 'tier', label: 'Tier', type: 'select', numeric: true, required: true, options: TIERS },
    { name: 'data_elements', label: 'Data elements', type: 'list', hint: 'Comma-separated, e.g. PHI, PII' },
    ...ownershipFields,
    { name: 'criticality', label: 'Criticality', type: 'select', options: CRITICALITIES, initial: 'medium' },
    { name: 'data_access', label: 'Data access', type: 'select', options: DATA_ACCESS, initial: 'none' },
    { name: 'services', label: 'Services', type: 'list', hint: 'Comma-separated, e.g. Payroll, Benefits' },
    { name: 'subprocessors', label: 'Subprocessors', type: 'list', hint: 'Comma-separated' },
    { name: 'contract_start', label: 'Contract start', type: 'date', nullable: true },
    { name: 'contract_end', label: 'Contract end', type: 'date', nullable: true },
    {
      name: 'website',
      label: 'Website',
      type: 'text',
      pattern: { re: /^(https?:\/\/\S+)?$/, message: 'use an http:// or https:// address' },
    },
    { name: 'app_match', label: 'Identity-provider app names', type: 'list', hint: 'Comma-separated names its apps go by' },
    { name: 'notes', label: 'Notes', type: 'textarea', wide: true },
  ],
  validate: (v) =>
    v.contract_start && v.contract_end && v.contract_end < v.contract_start ? ['The contract cannot end before it starts.'] : [],
  columns: [
    {
      header: 'Name',
      sortValue: (r) => r.name,
      cell: (r) => (
        <Link to={`/vendors/${encodeURIComponent(r.id)}`} className={linkClass}>
          {r.name}
        </Link>
      ),
    },
    { header: 'Slug', sortValue: (r) => r.slug, cell: (r) => <code className="text-xs">{r.slug}</code> },
    { header: 'Tier', sortValue: (r) => r.tier, cell: (r) => `Tier ${r.tier}` },
    { header: 'Category', sortValue: (r) => r.category, cell: (r) => dash(r.category) },
    { header: 'Data elements', sortValue: (r) => r.data_elements.join(', '), cell: (r) => (r.data_elements.length ? r.data_elements.join(', ') : '—') },
    { header: 'Owner', sortValue: (r) => ownerCell(r), cell: (r) => ownerCell(r) },
    { header: 'Due', sortValue: (r) => r.due_date, cell: (r) => dash(r.due_date ?? '') },
  ],
  sorts: NAME_SORTS,
  filters: [{ name: 'tier', label: 'Tier filter', options: all(TIERS) }],
}

export const SPECS: { [K in EntityKind]: EntitySpec<K> } = {
  kris: kriSpec,
  controls: controlSpec,
  risks: riskSpec,
  outcomes: outcomeSpec,
  vendors: vendorSpec,
}
