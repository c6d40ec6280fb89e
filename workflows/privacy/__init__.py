"""A resident's own data (개인정보 보호법 §35-§37) and retention.

* ``service``: what is held about a resident, per service, and deleting it.
* ``retention``: what is purged or reduced after its retention period, every night.
"""
