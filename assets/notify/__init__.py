"""Notification delivery: from `tenant.notification` rows to e-mails, digests and signed webhooks.

`outbox` fills and claims the delivery outbox, `mail` and `webhook` talk to the network,
`backoff` decides when to try again, `worker` ties them together for the pipeline's sensor.
"""
