"""Synthetic data at national scale, for benchmarks and demonstrations (`flask demo generate`)."""
