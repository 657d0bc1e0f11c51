"""Workflows of the tenant admin pages: settings and credentials (`settings`), softphone mappings
(`softphones`) and people (`people`). Each writes its own audit entry."""
