"""Object permissions for code that asks `user.has_perm(...)` (admin, DRF): the same
predicates as ktgs.access, registered under permission names."""

import rules

from ktgs.access import can_read, can_write, is_admin

rules.add_perm("ktgs.read_organization", can_read)
rules.add_perm("ktgs.write_organization", can_write)
rules.add_perm("ktgs.administer", is_admin)
