"""The kernel: time and calendars, voting rules, events and their codec, the workflow helper.

Aggregates build on these; users normally import them from :mod:`communitygov`.
"""
