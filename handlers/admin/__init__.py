"""Admins: ``roles`` (/grant, /revoke, /invite, /departments), ``broadcast`` (a message to
residents), ``audit`` (who saw or changed what)."""
