"""식중독 예방 알림 for restaurant operators: the day's risk for their area, in season.

* ``nhis_forecast``: the national food-poisoning index (식중독지수) fetched and graded.
* ``food_import``: the district's licence register (CSV) read into operators to invite.
* ``service``: subscriptions, the daily alert, outbreak notices, delivery reports.
"""
