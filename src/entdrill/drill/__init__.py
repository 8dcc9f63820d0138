"""Continuity drills: the plan model and schema (``plan``), and the runner that walks a plan."""
