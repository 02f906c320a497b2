"""Shop data: the demo shop generator, the importers (demo, τ-bench, product feeds) and stats.

Every importer turns its source into a :class:`~bot.shop.records.ShopData` first (validating
as it goes, so bad input fails before anything is written) and then hands it to
:func:`~bot.shop.loader.load_shop_data`, which writes it in one transaction.
"""
