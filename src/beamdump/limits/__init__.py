"""How sure we are: upper limits on the signal (stats) and the excluded bands they give (contours)."""
