"""The sandbox: an embedded, realistic staging school started on this machine."""
