"""Checklists: versioned templates as data files, and inspections that answer them."""
