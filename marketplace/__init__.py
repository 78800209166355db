"""The marketplace domain: storefronts, sellers, buyers, catalogue, carts and orders."""
