"""HTTP routes, thin: they parse, delegate to the service and shape responses."""
