"""Outlets (网点): the sites of the logistics network a unit runs."""
