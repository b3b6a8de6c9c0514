"""Lab reports: results tables read from the page (any OCR engine), restated row by row."""
