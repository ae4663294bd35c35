"""HTTP routes of the labour-market reference domain."""
