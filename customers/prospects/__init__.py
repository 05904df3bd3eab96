"""Customer development: prospects through the six steps, evaluation, conversion."""
