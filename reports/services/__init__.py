"""Every write to a report: keyword-only, acting user first, atomic, audited where it reads.

One module per kind of work; callers import from the module that defines what they use:
drafting (start a draft, save its answers, delete it), evidence (files and links, on a draft
and after sending), sending (completeness, the reference, submission), conversation (messages,
the audited access record, sharing with a linked member), lifecycle (withdrawal and the status
changes triage makes, transfer to another force) and errors (the refusals callers catch).
"""
