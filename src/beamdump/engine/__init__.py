"""The engine: events N(m, g) on a grid, computed once per mass with the coupling applied analytically."""
