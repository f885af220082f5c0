"""Loading seed_data/: validate every file, then upsert it in one transaction."""

from directory.seed.apply import SeedReport, seed_database
from directory.seed.loader import SeedBundle, load_seed_bundle

__all__ = ["SeedBundle", "SeedReport", "load_seed_bundle", "seed_database"]
