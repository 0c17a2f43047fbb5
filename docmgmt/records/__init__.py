"""Electronic records: the dossier plan, dossiers, transfer to the archive, lending (NĐ30 Điều 28–31)."""
