"""소통 Day: the monthly opinion day on one policy topic.

* ``analysis``: what the answers say (keywords, votes, participation by 동), without names.
* ``service``: topics and their states, the poll, opinions, the results sent back.
"""
