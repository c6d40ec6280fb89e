"""Complaints in the chat: the resident files and follows them; officers work them.

Resident: ``filing`` (the form), ``status`` (/status: complaints and one-stop items), ``feedback``
(resolved or not, the rating). Officers: ``officer`` (the card's buttons: take, answer, reject,
extend), ``transfers`` (이송, 반송), ``supplement`` (보완), ``answer_templates`` (templates and files
of an answer), ``case_forms`` and ``case_view`` (what the officer's forms and views share).
``http_open311``: the GeoReport v2 export on the export listener.
"""
