"""Tests of the kernel (`draxis/`): settings, secrets, security rules, the database and its
scopes, logging, migrations, the import/export document."""
