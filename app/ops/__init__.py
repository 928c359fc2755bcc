"""Running the app: metrics for Prometheus, backups and their restore."""
