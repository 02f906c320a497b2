"""Order operations under the shop's policy: identification, look-ups and changes."""
