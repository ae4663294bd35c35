"""One module per reference source: `parse_*` functions read and check a file, `load` writes it."""
