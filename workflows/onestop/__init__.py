"""출생·사망 원스톱: one report fans out into sub-requests, each routed to an office or an outside body.

* ``benefits``: what a family can apply for (the catalogue and its rules, data/benefits.json).
* ``agency_notify``: notices to outside bodies (한전, 도시가스사, 국민연금공단 ...): channels, signed requests.
* ``service``: the report, its sub-requests and their states, reminders, delivery outcomes, duties.
"""
