"""Operator tooling: pipeline status, dead letters, replays and consumer-group resets.

Entry point: ``learnloop ops ...`` (``learnloop.ops_cli``). Every module here talks to the real
cluster through the same client options as the services (``shared.broker.client_options``), so TLS
and SASL settings apply to operators too.
"""
