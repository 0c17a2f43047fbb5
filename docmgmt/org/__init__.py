"""The commune: organisation, units (phòng ban), positions, users and their roles."""
