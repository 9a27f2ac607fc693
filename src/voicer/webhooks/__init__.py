"""Webhooks: a task's ``task.completed`` and ``task.failed`` events, POSTed to its callback URL
(or its owner's default one), signed, and delivered at least once.

``targets``     which URLs a callback may name: public hosts, unless allowed
``signing``     the headers that let a receiver check an event came from this Voicer
``events``      an event written beside the task's change of status, in the same transaction
``dispatcher``  the thread that POSTs due events and retries them with backoff
"""
