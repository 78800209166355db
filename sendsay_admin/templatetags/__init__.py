"""Template tags of the Sendsay connection app."""
