"""The web app: storefront with the chat widget, staff console, JSON API."""
