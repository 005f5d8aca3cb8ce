"""Demo training for `manage.py seed_demo`: West Yorkshire's roster, rules and a year of work.

The demo trainer (trainer@demo.harmsportal.test, Kim Ellis) finds a force whose training has
been running for a while:

- audience rules: every new joiner does "Your online footprint" within 30 days of starting,
  frontline staff "Recognising and reporting online harm" within 60, specialists the covert
  module within 30, line managers "Supporting a colleague who is targeted" within 60 and
  leaders "Leading a culture of care" within 90;
- a roster with reporting lines: the force lead (Jordan Fry) manages a team of several (the
  demo officer, staff member, supervisor, champion and trainer, and colleagues), the triage
  supervisor (Dee Hargreaves) manages the triager and colleagues, and colleagues' own line
  managers manage the rest. The demo officer asked, in their doxxing report, that their line
  manager be told: triage's demo case can tell Jordan Fry;
- the demo accounts' own training, so each sees something true on their training page: the
  officer's frontline module expiring within the month (with feedback given) and the
  footprint module overdue; a new joiner (the staff member) with induction due; modules
  completed with feedback, overdue, or due soon; and the family account asked to do the family
  module;
- some forty colleagues (accounts nobody signs in as: no usable password) whose completions,
  overdue work and expiring modules make the compliance figures real, with enough people in the
  frontline row that a force lead's aggregates are shown rather than withheld.

The package: `roster.py` holds the story as data (the modules, rules, feedback, the demo
accounts' roster and the colleagues'), `seeding.py` tells it through the services;
`seed` is the entry point named on the AppConfig (docs/decisions/0007).

Everything goes through the real services (`assignment_create`, `completion_record`,
`feedback_give`, `rules_apply`), moved back to the days the story says. Seeding again changes
nothing: work is made only for a person and module with none yet, and everything else is found
by its natural key.
"""

from training.demo.seeding import seed

__all__ = ["seed"]
