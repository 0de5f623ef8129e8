"""`python -m panel.personas`: record the current persona versions in `versions.lock`."""

from __future__ import annotations

from panel.personas import lock_current

if __name__ == "__main__":
    for version, digest in lock_current().items():
        print(version, digest)
