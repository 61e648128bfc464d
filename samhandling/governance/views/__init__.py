"""Thin views of the meeting module, split by sub-domain: bodies and the overview, meetings and the notice, items,
attachments, the minutes, search, and the public archive (no log-in). Every write goes through `services`; what a
user may do now comes from the workflows' `actions_for`."""
