"""pubdata library."""
