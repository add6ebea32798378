"""Use cases by feature: what residents, officers and admins can do."""
