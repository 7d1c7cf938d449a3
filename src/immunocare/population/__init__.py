"""Population case-finding over OMOP CDM data (sources, synthetic populations, screens)."""
