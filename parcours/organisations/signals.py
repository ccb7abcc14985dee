"""Signal receivers of the organisations app (connected in OrganisationsConfig.ready)."""
