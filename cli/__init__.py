"""The `draxis` command: the top of the house, the one package that may wire every other.

`cli.main` parses the command line; `cli.db`, `cli.serve` and `cli.up` run its command groups;
`cli.seed` writes the demo (organization, tenants, users, risk model, institutional memory).
"""
