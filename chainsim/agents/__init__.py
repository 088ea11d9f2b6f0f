"""The agents of the chain: buyers, clusters of firms, fairs, and the orders between them."""
