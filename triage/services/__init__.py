"""Every write to a case: keyword-only, acting user first, atomic, side effects via the outbox.

One module per kind of work; callers import from the module that defines what they use:
claiming (intake, claim, claim next, hand back, reassign), working (assess, actions, notes,
messages, outcome, close, reopen), moving (transfer to another force, stepping aside),
breaches (the beat task's flags and escalations) and reads (audited case and evidence reads).
The report itself only ever changes through reports.services, so the reporter's timeline and
notifications stay in one place.
"""
