"""Open Referral UK (HSDS 3.0 with the ORUK profile): the /hsds feed, import and export.

mapping.py turns models into HSDS dicts; records.py turns HSDS dicts (and CSV rows) back into
plain entries; importer.py validates and upserts them; exporter.py writes a whole directory;
feed.py is the read-only /hsds blueprint.
"""
