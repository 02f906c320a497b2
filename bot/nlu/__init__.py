"""NLU support: lookup tables generated from the catalog and pipeline evaluation."""
