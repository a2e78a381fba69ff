"""Liveness, readiness and the health of every dependency, for orchestrators and monitoring.

probes.py talks to each dependency directly and bounded; middleware.py answers
the orchestrator's probes before the Host check; views.py serves /health/.
"""
