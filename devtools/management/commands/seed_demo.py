"""Seed the database with synthetic data: the demo province for `make run`, or a national
tree for benchmarks.

Profiles:
  demo      (default) the demo province and one account per role
            (devtools.demo.province). Idempotent: run by `make run` every time; when the
            demo is there it only prints the accounts. After the tree and the users come
            the year's programmes (devtools.demo.programmes), cases (devtools.demo.cases),
            the commission's other records of the bloc (devtools.demo.records: letters,
            denunciations, disciplinary complaints, suspensions) and the roll-up with its
            past figures (devtools.demo.figures), then the 9-month reports sent up the
            tree (devtools.demo.submissions), in that order; each step is idempotent
            too. The synthetic profiles run the same steps after
            the tree, with a SyntheticTree (their programmes and cases are written with
            the cases step, by devtools.synthetic.year).
  national  ~300,000 units (devtools.synthetic.tree); 10pct: a tenth of it; post2025: the tree
            after the 2025 reform, communes directly under provinces (no district level).
            Each is one new root with its own root code (QG, QG10, QG25); a profile that is
            already there is refused unless --replace.

--if-missing keeps a synthetic profile that is already there, unless it was written
before the synthetic year had the commission's records (no letter in it): then it is
written again, as with --replace.

--replace deletes the profile's tree first. On PostgreSQL, when that tree is the only
root in the database, this is TRUNCATE ... RESTART IDENTITY CASCADE of the organisation
table: every table that references units (roles, programmes, cases, progress…) is emptied
too. Otherwise the subtree and the rows that point into it are deleted.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

from cases.models import Letter
from devtools.demo import cases, figures, programmes, province, records, submissions
from devtools.synthetic import tree as synthetic_tree
from ktgs.models import Organization

PROFILES = ["demo", *synthetic_tree.PROFILES]


class Command(BaseCommand):
    help = (
        "Seed synthetic data. --profile demo (default, idempotent): the demo province and "
        "its accounts. --profile national|10pct|post2025: a synthetic national tree for "
        "benchmarks (post2025 has no district level under provinces)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--profile",
            choices=PROFILES,
            default="demo",
            help="demo (default); "
            + "; ".join(f"{p.name}: {p.help}" for p in synthetic_tree.PROFILES.values()),
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed; same seed, same data"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="synthetic profiles: delete this profile's tree first (on PostgreSQL, if "
            "it is the only tree, TRUNCATE ... CASCADE empties every table referencing units)",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="synthetic profiles: keep the profile's tree when it is already there "
            "(`make bench` seeds once and reuses the data)",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="synthetic profiles: multiply the size (tests and quick runs, e.g. 0.01)",
        )

    def handle(
        self,
        *args,
        profile: str,
        seed: int,
        replace: bool,
        scale: float,
        if_missing: bool,
        **options,
    ):
        if profile == "demo":
            if replace or scale != 1.0:
                raise CommandError("--replace and --scale apply to synthetic profiles only.")
            self.seed_demo(seed=seed)
        else:
            if scale <= 0:
                raise CommandError("--scale must be positive.")
            chosen = synthetic_tree.PROFILES[profile]
            root = synthetic_tree.synthetic_root(chosen)
            if if_missing and not replace and root is not None:
                if Letter.objects.filter(organization__path__startswith=root.path).exists():
                    self.stdout.write(f"The {chosen.name} data is already there: kept.")
                    return
                # Written before the synthetic year had the commission's records: the
                # figures measured on it would not be those of the data seeded now.
                self.stdout.write(
                    f"The {chosen.name} data is there but has none of the commission's "
                    "records (letters, denunciations, suspensions): written again."
                )
                replace = True
            self.seed_synthetic(chosen, seed=seed, scale=scale, replace=replace)

    def seed_demo(self, *, seed: int) -> None:
        started = time.monotonic()
        tree = province.seed_demo_tree(seed=seed)
        accounts = province.seed_demo_users(tree=tree)
        self.seed_year(tree=tree, seed=seed)
        if tree.created:
            units = Organization.objects.filter(path__startswith=tree.province.path).count()
            self.stdout.write(
                f"Demo province created: {tree.province.name} ({units:,} units) "
                f"in {time.monotonic() - started:.1f} s."
            )
        else:
            self.stdout.write(f"Demo province already present: {tree.province.name}.")
        self.print_accounts(accounts)

    def seed_year(self, *, tree, seed: int) -> None:
        """The year on `tree` (a devtools.demo.province.DemoTree for the demo profile, a
        devtools.synthetic.tree.SyntheticTree for the others): programmes before the
        cases that count toward them, the records (demo only; their cases count too), the
        roll-up table, then (demo only) the period reports sent up, which need its
        figures."""
        for step in (programmes, cases, records, figures, submissions):
            step.seed_demo(tree=tree, seed=seed, stdout=self.stdout)

    def print_accounts(self, accounts) -> None:
        rows = [("username", "password", "role", "unit")]
        rows += [
            (account.username, province.DEMO_PASSWORD, str(account.role.label), unit.name)
            for account, unit in accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(f"Demo accounts — sign in at {settings.SITE_URL}{reverse('login')}")
        for number, row in enumerate(rows):
            line = "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))

    def seed_synthetic(self, profile, *, seed: int, scale: float, replace: bool) -> None:
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stderr.write(f"[{profile.name}] {message}")

        with transaction.atomic():
            existing = synthetic_tree.synthetic_root(profile)
            if existing is not None:
                if not replace:
                    count = Organization.objects.filter(path__startswith=existing.path).count()
                    raise CommandError(
                        f"The {profile.name} tree is already there (root code "
                        f"{profile.root_code}, {count:,} units). Use --replace to delete and "
                        "rebuild it."
                    )
                deleted = synthetic_tree.delete_tree(existing)
                progress(f"deleted the previous tree ({deleted:,} units)")
            result = synthetic_tree.seed_synthetic_tree(
                profile=profile, seed=seed, scale=scale, progress=progress
            )
            progress("committing")
        levels = ", ".join(f"{level} {count:,}" for level, count in result.by_level.items())
        self.stdout.write(
            f"{profile.name}: {result.count:,} units ({levels}), depth ≤ {result.max_depth}, "
            f"in {time.monotonic() - started:.1f} s."
        )
        root = synthetic_tree.synthetic_root(profile)
        assert root is not None
        tree = synthetic_tree.SyntheticTree(root=root, profile=profile, scale=scale)
        self.seed_year(tree=tree, seed=seed)
        self.stdout.write(f"{profile.name}: done in {time.monotonic() - started:.1f} s.")
