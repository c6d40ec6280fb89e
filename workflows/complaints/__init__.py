"""Complaints (민원): filed by a resident, routed to a department, worked by its officers, answered
within a statutory period counted in business time, followed by the resident to the end.

Modules, each standing only on those above it:

* ``common``: limits and errors, loading, who may act, event and audit records, the place, the
  receipt number, whether a 보완 holds it.
* ``transfers``: the rules of moving a complaint between departments (이송, 반송, the desk).
* ``cards``: what officers, group chats and the resident receive, and the cards kept up to date.
* ``casework``: teamwork on one complaint: take over, assign, release, internal notes.
* ``supplement``: 보완 요청, the pause it puts on the processing period.
* ``service``: filing, the officer's decisions, the resident's answer, the history, the duties.

Beside them: ``states`` (the transition table), ``escalation`` (reminders and escalations before a
deadline), ``answer_templates`` and ``answer_files`` (what an officer's answer may carry),
``reachability`` (officers Telegram cannot reach), ``open311`` (the public GeoReport v2 export).
"""
