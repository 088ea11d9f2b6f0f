"""Records of a run (flat, typed) and the pure metric functions computed from them."""
