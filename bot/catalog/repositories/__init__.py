"""The catalog's search storage: the keyword index (``keyword``) and the embedding store
(``embeddings``). Row reads of products, variants and categories are bot/catalog/repository.py."""
