"""Data: sources (folders, labels CSVs, arrays, MNIST), image decoding, the row and pixel caches, labels CSV
I/O, synthetic noise."""
