"""The demo's data, written by `draxis db seed`: `demo` (organization, tenants, users, sources),
`risk_model` (controls, risks, outcomes, vendors), `memory` (the panel's cited facts and policy)."""
