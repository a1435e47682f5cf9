"""Regulator statistics: coverage and compliance, hazards by department, alarm hotspots, sites offline."""
