"""PromQL probes: steady states and tolerances stated in Prometheus's terms."""
