"""SimPy plumbing: building the world from a scenario, the calendar, and the run lifecycle."""
