"""Labour-market reference data: NOC 2021, OaSIS, COPS outlooks, Job Bank wages, geography."""
