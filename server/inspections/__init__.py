"""Inspections: checklists as versioned templates, and the visits that answer them."""
