"""전입주민: information for a resident who has moved in, and the district newsletter.

* ``service``: the move-in details, what the resident is told (per 동), the subscription.
* ``newsletter``: issues written by the editors and sent to subscribers.
"""
