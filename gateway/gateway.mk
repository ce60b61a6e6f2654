# (owned by its part of the tree)
