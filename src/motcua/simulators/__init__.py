"""Local stand-ins for outside systems, speaking their protocols over real sockets: an SMTP
server that keeps what it receives (``mailbox``) and the messaging providers' HTTP APIs
(``providers``: SMS brandname and Zalo ZNS, with delivery receipts). ``make demo`` and the
tests start them; production points the settings at the real services instead."""
