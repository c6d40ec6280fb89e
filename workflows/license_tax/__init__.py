"""등록면허세 (면허분) one-stop: the tax computed, paid into a virtual account, the licensing body told.

* ``notice_render``: the notice as an image (for the resident's chat).
* ``licensing_bodies``: the bodies and the payment confirmation each receives (channel, signed request).
* ``service``: notices, payments, confirmations and their outcomes, refunds, the tax officers' views.
"""
