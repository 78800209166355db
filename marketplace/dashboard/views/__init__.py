"""Dashboard views, one module per area; `urls.py` wires them."""
