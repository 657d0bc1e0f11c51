"""Calling workflows: placing and following calls (`placing`), their real outcomes
(`outcomes`), and the tenant's AICC client (`aicc`). Views and commands call these; these call
the AICC client (`calls.aicc`)."""
