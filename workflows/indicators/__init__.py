"""Indicators for the evaluation team, per department and officer, in Korean.

* ``service``: every indicator as grouped SQL (volume, processing time, ratings, one-stop, opinions).
* ``ranking``: the departments' and officers' ranking.
* ``reports``: the monthly and yearly report: figures, charts (PNG), the sheet (XLSX).
"""
