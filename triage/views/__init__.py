"""Triage pages: the queue (queue_pages), one case (case_pages) and moving a case (moving_pages).

urls.py imports each module directly; nothing is re-exported here.
"""
