"""The data layer: models, engine and migrations. No SQL outside this package's users in bot/."""
