"""The warehouse flow: the stock-check page and the labels download behind signed links."""
